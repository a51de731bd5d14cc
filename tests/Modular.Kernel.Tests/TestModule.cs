using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Modular.Kernel;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Npgsql;

namespace Modular.Kernel.Tests;

/// <summary>A minimal module database: one entity and the kernel's outbox, created without migrations.</summary>
public sealed class WidgetsDbContext(DbContextOptions<WidgetsDbContext> options, ITenantContext tenant) : ModuleDbContext(options, tenant)
{
    public override string Schema => "widgets";

    public DbSet<Widget> Widgets => Set<Widget>();

    public DbSet<Gadget> Gadgets => Set<Gadget>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Widget>().HasKey(w => w.Id);
        modelBuilder.Entity<Gadget>().HasKey(g => g.Id);
        modelBuilder.Entity<Gadget>().Property(g => g.Version).IsConcurrencyToken();
    }
}

[PlatformWide("A test entity: the kernel's behaviour does not depend on tenancy here.")]
public sealed class Widget
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public string Name { get; set; } = "";
}

/// <summary>A tenant's row, under row-level security on PostgreSQL.</summary>
public sealed class Gadget : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public string Name { get; set; } = "";

    public int Version { get; set; }
}

public sealed record WidgetMade(Guid WidgetId, string Name) : INotification;

/// <summary>Stands in for the other modules' handlers: records what the outbox published, and can fail or block.</summary>
public sealed class RecordingPublisher : IPublisher
{
    public System.Collections.Concurrent.ConcurrentQueue<object> Published { get; } = new();

    /// <summary>Runs before a notification counts as published; may throw (a failing handler) or wait (a stuck one).</summary>
    public Func<object, CancellationToken, Task> BeforePublish { get; set; } = (_, _) => Task.CompletedTask;

    public async ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
        where TNotification : INotification
        => await Publish((object)notification, cancellationToken);

    public async ValueTask Publish(object notification, CancellationToken cancellationToken = default)
    {
        await BeforePublish(notification, cancellationToken);
        Published.Enqueue(notification);
    }
}

/// <summary>A clock tests move by hand, so retry schedules can be checked without waiting.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Builds the kernel's services around <see cref="WidgetsDbContext"/> on a real database.</summary>
public static class WidgetsModule
{
    public static ServiceProvider Build(DatabaseProvider provider, string connectionString, RecordingPublisher publisher, TimeProvider? clock = null, Action<OutboxOptions>? outbox = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(publisher);
        services.AddSingleton<IPublisher>(publisher);
        services.AddSingleton(clock ?? TimeProvider.System);
        services.Configure<DatabaseOptions>(o =>
        {
            o.Provider = provider;
            o.ConnectionString = connectionString;
        });
        services.Configure<OutboxOptions>(o =>
        {
            o.Enabled = false; // tests drive the dispatcher themselves
            outbox?.Invoke(o);
        });
        services.AddModuleDbContext<WidgetsDbContext>("widgets");
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Creates the schema without migrations; on PostgreSQL as the database's owner, granting the application's role
    /// what it needs on the tables, as migrating grants it in a host.
    /// </summary>
    public static async Task CreateSchemaAsync(this ServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        if (!db.Database.IsNpgsql())
        {
            await db.Database.EnsureCreatedAsync();
            return;
        }

        // Unpooled: the owner's session ends here, and is no worker's (tests end the workers' sessions by name).
        db.Database.SetConnectionString(new NpgsqlConnectionStringBuilder(PostgresServer.AsOwner(db.Database.GetConnectionString()!)) { Pooling = false }.ConnectionString);
        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync(
            $"GRANT USAGE ON SCHEMA widgets TO {PostgresServer.AppRole}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA widgets TO {PostgresServer.AppRole}; " +
            "ALTER TABLE widgets.gadgets ENABLE ROW LEVEL SECURITY; " +
            "CREATE POLICY tenant_isolation ON widgets.gadgets USING (current_setting('app.tenant_id', true) IN (tenant_id::text, '*')) " +
            "WITH CHECK (current_setting('app.tenant_id', true) IN (tenant_id::text, '*'))");
    }

    /// <summary>Saves <paramref name="count"/> widgets, each with its WidgetMade event, in one transaction.</summary>
    public static async Task MakeWidgetsAsync(this ServiceProvider services, int count)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        for (var i = 0; i < count; i++)
        {
            var widget = new Widget { Name = $"widget-{i}" };
            db.Widgets.Add(widget);
            db.Publish(new WidgetMade(widget.Id, widget.Name), DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
    }

    public static async Task<List<OutboxMessage>> OutboxAsync(this ServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WidgetsDbContext>().OutboxMessages.AsNoTracking().ToListAsync();
    }

    public static OutboxDispatcher<WidgetsDbContext> Dispatcher(this ServiceProvider services) =>
        services.GetRequiredService<OutboxDispatcher<WidgetsDbContext>>();
}
