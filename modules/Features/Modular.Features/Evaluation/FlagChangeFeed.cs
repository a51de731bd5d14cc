using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Persistence;
using Npgsql;

namespace Modular.Features.Evaluation;

/// <summary>
/// Tells every instance that flag definitions changed, after the change commits (an EF interceptor on
/// the module's context). This instance forgets its catalog at once;
/// on PostgreSQL a <c>NOTIFY</c> reaches the others (<see cref="FlagChangeListener"/>). SQLite has no
/// second instance to tell.
/// </summary>
internal sealed class FlagChangeFeed(FlagCatalogCache catalogs) : SaveChangesInterceptor
{
    public const string Channel = "modular_features_changed";

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is FeaturesDbContext db)
        {
            db.DefinitionsChanged = db.ChangeTracker.Entries().Any(e =>
                e.Entity is FeatureFlag or TenantOverride && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
        }

        return ValueTask.FromResult(result);
    }

    /// <summary>Once a change to flags or overrides has committed, every instance must drop its catalog.</summary>
    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is FeaturesDbContext { DefinitionsChanged: true } db)
        {
            db.DefinitionsChanged = false;
            await PublishAsync(db, cancellationToken);
        }

        return result;
    }

    private async Task PublishAsync(FeaturesDbContext db, CancellationToken cancellationToken)
    {
        await catalogs.ForgetAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, '')", cancellationToken);
        }
    }
}

/// <summary>
/// Listens for other instances' changes on PostgreSQL and drops the cached catalog when one arrives.
/// After a lost connection it forgets the catalog too, since a notification may have been missed.
/// </summary>
internal sealed partial class FlagChangeListener(IOptions<DatabaseOptions> database, FlagCatalogCache catalogs, ILogger<FlagChangeListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var connectionString = new NpgsqlConnectionStringBuilder(database.Value.ConnectionStringFor(FeaturesDbContext.SchemaName))
        {
            Pooling = false, // a listening session is long-lived; it must not go back to a pool
            KeepAlive = 30,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                LogListenFailed(logger, e);
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var changed = false;
        connection.Notification += (_, _) => changed = true;
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {FlagChangeFeed.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        await catalogs.ForgetAsync(stoppingToken);
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
            if (changed)
            {
                changed = false;
                await catalogs.ForgetAsync(stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for feature flag changes failed; retrying")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
