using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Modular.Kernel.Cluster;

/// <summary>How an instance leaves a load balancer's rotation on SIGTERM (docs/adr/0020).</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// How long the instance keeps serving after it is told to stop, while <c>/health/ready</c> answers 503, so the load
    /// balancer takes it out of rotation before it stops accepting connections. Longer than the balancer's health-check
    /// interval times its fall count (haproxy: <c>inter 500ms fall 3</c> → 1.5 s). Zero when nothing balances (tests, a
    /// developer's Ctrl-C).
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long in-flight requests and already claimed batches (outbox messages, webhook deliveries) may take to finish after that.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// The drain: from the moment the host begins stopping (before any hosted service stops, Kestrel included) the
/// <c>draining</c> readiness check fails, and stopping waits <see cref="ShutdownOptions.DrainDelay"/> while requests are
/// still served.
/// </summary>
internal sealed partial class Draining(IOptions<ShutdownOptions> options, ILogger<Draining> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (options.Value.DrainDelay > TimeSpan.Zero)
        {
            LogDraining(logger, options.Value.DrainDelay);
            await Task.Delay(options.Value.DrainDelay, cancellationToken);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("This instance is shutting down.") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: not ready any more, still serving for {Delay} while the load balancer takes this instance out")]
    private static partial void LogDraining(ILogger logger, TimeSpan delay);
}

/// <summary>
/// A background worker's token for work it has already begun (a claimed batch): not cancelled when the worker is told
/// to stop, only <see cref="ShutdownOptions.Grace"/> later. The worker claims nothing new once told to stop, so a batch
/// is finished and its claims released instead of abandoned half sent (which would deliver some of it twice).
/// </summary>
public sealed class InFlightWork : IDisposable
{
    private readonly CancellationTokenSource _grace = new();
    private readonly CancellationTokenRegistration _stopping;

    public InFlightWork(CancellationToken stopping, IOptions<ShutdownOptions> options)
    {
        var grace = options.Value.Grace;
        _stopping = stopping.Register(() => _grace.CancelAfter(grace));
    }

    public CancellationToken Token => _grace.Token;

    public void Dispose()
    {
        _stopping.Dispose();
        _grace.Dispose();
    }
}
