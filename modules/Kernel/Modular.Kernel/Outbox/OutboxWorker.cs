using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Outbox;

/// <summary>
/// Drains one module's outbox: right after a command commits, and on every poll. Told to stop, it claims no new batch
/// but finishes the one it holds (within <see cref="ShutdownOptions.Grace"/>), so its handlers are not cut off midway.
/// </summary>
internal sealed partial class OutboxWorker<TContext>(
    OutboxDispatcher<TContext> dispatcher,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    IOptions<ShutdownOptions> shutdown,
    ILogger<OutboxWorker<TContext>> logger) : BackgroundService
    where TContext : ModuleDbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        using var inFlight = new InFlightWork(stoppingToken, shutdown);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                if (await dispatcher.DispatchBatchAsync(inFlight.Token) == settings.BatchSize)
                {
                    continue; // more may be waiting
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is down or not migrated yet: keep trying, more slowly.
                LogPollFailed(logger, e, typeof(TContext).Name);
                wait *= 10;
            }

            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox of {Context} could not be read")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string context);
}
