using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Cluster;

/// <summary>
/// "Look again" notices for screens that show what changes under their viewer (the console's webhook message log, usage
/// events, dashboard counters). A module announces a subject once its change commits; every watcher of the subject, on
/// every instance, hears of it once per <see cref="Coalescing"/> however many changes committed meanwhile, so a busy
/// ingestion costs one cluster message per subject and half second, not one per batch. Like the tenant event streams'
/// wake-ups, a notice carries no data: the screen reads what is new itself, so a lost notice costs freshness, never data.
/// </summary>
public sealed partial class LiveChanges(IClusterBus bus, ILogger<LiveChanges> logger) : IClusterListener
{
    public const string Topic = "live-changes";

    /// <summary>How long an announcement waits for more of its subject before it goes out.</summary>
    public static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Watcher, byte>> _watchers = new();
    private readonly ConcurrentDictionary<string, byte> _announcing = new();

    /// <summary>Calls <paramref name="changed"/> (on any thread) whenever <paramref name="subject"/> changes; dispose to stop.</summary>
    public IDisposable Watch(string subject, Action changed)
    {
        var watcher = new Watcher(changed, this, subject);
        _watchers.GetOrAdd(subject, _ => new()).TryAdd(watcher, 0);
        return watcher;
    }

    /// <summary>Announces <paramref name="subject"/> once <paramref name="db"/>'s changes commit (never if they roll back).</summary>
    public void AnnounceOnCommit(ModuleDbContext db, string subject) => db.AfterCommit(_ =>
    {
        Announce(subject);
        return Task.CompletedTask;
    });

    /// <summary>Announces <paramref name="subject"/> here and on the other instances, after <see cref="Coalescing"/>.</summary>
    public void Announce(string subject)
    {
        if (_announcing.TryAdd(subject, 0))
        {
            _ = AnnounceLaterAsync(subject); // the one announcement on its way covers every change until it goes
        }
    }

    private async Task AnnounceLaterAsync(string subject)
    {
        await Task.Delay(Coalescing);
        _announcing.TryRemove(subject, out _);
        Notify(subject);
        try
        {
            await bus.PublishAsync(Topic, subject, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogPublishFailed(logger, e, subject); // the other instances' screens refresh on their viewers' next action
        }
    }

    string IClusterListener.Topic => Topic;

    Task IClusterListener.OnMessageAsync(string message, CancellationToken cancellationToken)
    {
        Notify(message);
        return Task.CompletedTask;
    }

    Task IClusterListener.OnMaybeMissedAsync(CancellationToken cancellationToken)
    {
        foreach (var subject in _watchers.Keys)
        {
            Notify(subject);
        }

        return Task.CompletedTask;
    }

    private void Notify(string subject)
    {
        if (_watchers.TryGetValue(subject, out var watchers))
        {
            foreach (var watcher in watchers.Keys)
            {
                watcher.Changed();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other instances that {Subject} changed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string subject);

    private sealed class Watcher(Action changed, LiveChanges owner, string subject) : IDisposable
    {
        public Action Changed { get; } = changed;

        public void Dispose()
        {
            if (owner._watchers.TryGetValue(subject, out var watchers))
            {
                watchers.TryRemove(this, out _);
            }
        }
    }
}
