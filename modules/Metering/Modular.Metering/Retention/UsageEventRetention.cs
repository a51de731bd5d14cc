using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Persistence;

namespace Modular.Metering.Retention;

/// <summary>
/// Deletes stored events older than <see cref="MeteringOptions.EventRetention"/> (by time of receipt), in
/// small batches so ingestion never waits long on it; what they counted stays in the rollups. One
/// instance runs it at a time.
/// </summary>
internal sealed partial class UsageEventRetention(
    IServiceScopeFactory scopes, ExclusiveWork exclusive, IOptions<MeteringOptions> options, TimeProvider clock, ILogger<UsageEventRetention> logger) : BackgroundService
{
    /// <summary>The shortest retention: a resent event is recognised as a duplicate for at least 32 days.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromDays(32);

    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private const int BatchSize = 10_000;
    private const long LockKey = 0x4d6574657252; // "MeterR"

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
    }

    /// <summary>Deletes every event past retention; returns how many (0 when another instance is at it).</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<MeteringDbContext>();
        var cutoff = clock.GetUtcNow() - options.Value.EventRetention;
        var deleted = 0;
        await exclusive.RunAloneAsync(LockKey, async ct =>
        {
            var writer = new UsageWriter(db);
            int batch;
            while ((batch = await writer.DeleteEventsReceivedBeforeAsync(cutoff, BatchSize, ct)) > 0)
            {
                deleted += batch;
            }
        }, cancellationToken);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Deleting usage events past retention failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
