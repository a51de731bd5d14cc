using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Runs the dispatcher: as soon as deliveries are queued, and on every poll; prunes old messages hourly. Told to stop,
/// it claims no new batch but finishes sending the one it holds (within <see cref="ShutdownOptions.Grace"/>): a send cut
/// off midway may have reached the receiver, and would be sent again by the next instance.
/// </summary>
internal sealed partial class WebhookDeliveryWorker(
    WebhookDispatcher dispatcher,
    WebhookRetention retention,
    DeliverySignal signal,
    IOptions<WebhooksOptions> options,
    IOptions<ShutdownOptions> shutdown,
    ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.DeliveryEnabled)
        {
            return;
        }

        var nextPrune = DateTime.UtcNow; // real time: pruning is housekeeping, not part of the schedule
        using var inFlight = new InFlightWork(stoppingToken, shutdown);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                if (DateTime.UtcNow >= nextPrune)
                {
                    await retention.PruneAsync(stoppingToken);
                    nextPrune = DateTime.UtcNow + PruneEvery;
                }

                if (await dispatcher.DispatchBatchAsync(inFlight.Token) == settings.BatchSize)
                {
                    continue; // more may be due
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is down or not migrated yet: keep trying, more slowly.
                LogPollFailed(logger, e);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook deliveries could not be dispatched")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
