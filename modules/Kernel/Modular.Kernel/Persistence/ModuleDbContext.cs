using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Modular.Kernel.Outbox;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Base of every module's <c>DbContext</c>: puts the module's tables in its own schema (its own file
/// on SQLite) and gives it an outbox, so an integration event is stored in the same transaction as the
/// change that caused it.
/// </summary>
public abstract class ModuleDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The module's schema, e.g. "tenants". Lower-case, and stable forever.</summary>
    public abstract string Schema { get; }

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    internal bool HasPendingIntegrationEvents =>
        ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);

    /// <summary>Records an integration event; it is published after this context's changes commit.</summary>
    public void Publish<TEvent>(TEvent integrationEvent, DateTimeOffset now)
        where TEvent : INotification
        => OutboxMessages.Add(OutboxMessage.Create(integrationEvent, now));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // SQLite has no schemas; there the module's file is its boundary (see DatabaseOptions).
        if (!Database.IsSqlite())
        {
            modelBuilder.HasDefaultSchema(Schema);
        }

        modelBuilder.Entity<OutboxMessage>(OutboxMessage.Configure);
        ConfigureModel(modelBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset; stored as UTC ticks it can, in order, exactly.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    /// <summary>The module's own entity configuration.</summary>
    protected abstract void ConfigureModel(ModelBuilder modelBuilder);

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks,
        ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    internal static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);
}
