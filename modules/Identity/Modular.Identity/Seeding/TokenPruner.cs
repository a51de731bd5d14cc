using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;
using OpenIddict.Abstractions;

namespace Modular.Identity.Seeding;

/// <summary>
/// Deletes expired and revoked tokens and authorizations (OpenIddict.Quartz is not available here).
/// On PostgreSQL only one instance prunes at a time: the others find the advisory lock taken and skip.
/// </summary>
internal sealed partial class TokenPruner(IServiceScopeFactory scopes, ExclusiveWork exclusive, TimeProvider clock, ILogger<TokenPruner> logger) : BackgroundService
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
        var threshold = clock.GetUtcNow() - Retention;
        return await exclusive.RunAloneAsync(LockKey, ct => PruneWithAsync(scope.ServiceProvider, threshold, ct), cancellationToken);
    }

    private static async Task PruneWithAsync(IServiceProvider services, DateTimeOffset threshold, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        await services.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Pruning expired tokens failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
