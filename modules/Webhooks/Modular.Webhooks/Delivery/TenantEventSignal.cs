using System.Collections.Concurrent;
using Modular.Kernel.Cluster;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Wakes the event streams of a tenant when one of its messages is stored, on whichever instance the stream is
/// connected to: locally at once, and through the cluster bus on the others. A wake-up says only "look again"; the
/// stream reads what is new from the database, so a lost wake-up costs a poll interval, never an event.
/// </summary>
public sealed class TenantEventSignal(IClusterBus bus) : IClusterListener
{
    public const string Topic = "tenant-events";

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();
    private readonly ConcurrentDictionary<Guid, int> _open = new();

    /// <summary>One more stream of the tenant on this instance, or null past <paramref name="limit"/>; dispose it when the stream ends.</summary>
    public IDisposable? TryOpenStream(Guid tenantId, int limit)
    {
        if (_open.AddOrUpdate(tenantId, 1, (_, open) => open + 1) > limit)
        {
            _open.AddOrUpdate(tenantId, 0, (_, open) => open - 1);
            return null;
        }

        return new Slot(() => _open.AddOrUpdate(tenantId, 0, (_, open) => open - 1));
    }

    /// <summary>A task that completes at the tenant's next wake-up (shared by every stream of the tenant on this instance).</summary>
    public Task NextAsync(Guid tenantId) =>
        _waiting.GetOrAdd(tenantId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>The tenant has a new message: wake its streams here and on every other instance.</summary>
    public async Task AnnounceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        Wake(tenantId);
        await bus.PublishAsync(Topic, tenantId.ToString("N"), cancellationToken);
    }

    string IClusterListener.Topic => Topic;

    Task IClusterListener.OnMessageAsync(string message, CancellationToken cancellationToken)
    {
        if (Guid.TryParseExact(message, "N", out var tenantId))
        {
            Wake(tenantId);
        }

        return Task.CompletedTask;
    }

    Task IClusterListener.OnMaybeMissedAsync(CancellationToken cancellationToken)
    {
        foreach (var tenantId in _waiting.Keys)
        {
            Wake(tenantId);
        }

        return Task.CompletedTask;
    }

    private sealed class Slot(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }

    private void Wake(Guid tenantId)
    {
        if (_waiting.TryRemove(tenantId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }
}
