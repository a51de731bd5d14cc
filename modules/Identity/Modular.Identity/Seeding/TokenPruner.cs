using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Identity.Persistence;
using OpenIddict.Abstractions;

namespace Modular.Identity.Seeding;

/// <summary>
/// Deletes expired and revoked tokens and authorizations (OpenIddict.Quartz is not available here).
/// On PostgreSQL only one instance prunes at a time: the others find the advisory lock taken and skip.
/// </summary>
internal sealed partial class TokenPruner(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TokenPruner> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>Tokens are kept this long after they end, for investigations.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(14);

    private const long LockKey = 0x4d6f64756c6172; // "Modular", one key for the whole platform's pruning

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
    }

    /// <summary>Prunes once; false when another instance holds the lock.</summary>
    public async Task<bool> PruneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var threshold = clock.GetUtcNow() - Retention;
        if (!db.Database.IsNpgsql())
        {
            await PruneWithAsync(scope.ServiceProvider, threshold, cancellationToken);
            return true;
        }

        // A session lock on one connection held open for the whole prune.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var acquired = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({LockKey}) AS \"Value\"").SingleAsync(cancellationToken);
            if (!acquired)
            {
                return false;
            }

            try
            {
                await PruneWithAsync(scope.ServiceProvider, threshold, cancellationToken);
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }

            return true;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task PruneWithAsync(IServiceProvider services, DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await services.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Pruning expired tokens failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
