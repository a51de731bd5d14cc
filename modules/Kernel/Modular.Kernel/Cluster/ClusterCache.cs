using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Cluster;

/// <summary>
/// What every instance drops together from its cache: entries are tagged (HybridCache tags), and a change invalidates
/// its tags here, which removes them from this instance at once and from the others through the cluster bus. Tags, not
/// keys: a load that started before the invalidation is not served after it, where removing a key could not stop it
/// (docs/adr/0020). After a bus reconnection every entry is dropped, since an invalidation may have been missed.
/// </summary>
public sealed class ClusterCache(HybridCache cache, IClusterBus bus) : IClusterListener
{
    public const string Topic = "cache";

    /// <summary>Drops <paramref name="tags"/> on every instance now: for a change already committed.</summary>
    public async Task InvalidateAsync(IReadOnlyCollection<string> tags, CancellationToken cancellationToken)
    {
        await cache.RemoveByTagAsync(tags, cancellationToken);
        var message = JsonSerializer.Serialize(tags);
        if (message.Length > ClusterMessages.MaxPayloadBytes / 2)
        {
            message = JsonSerializer.Serialize(new[] { Everything }); // too many to name: the others drop everything
        }

        await bus.PublishAsync(Topic, message, cancellationToken);
    }

    /// <summary>Drops <paramref name="tags"/> on every instance once <paramref name="db"/>'s changes are committed.</summary>
    public void InvalidateOnCommit(ModuleDbContext db, params string[] tags) => db.AfterCommit(ct => InvalidateAsync(tags, ct));

    string IClusterListener.Topic => Topic;

    async Task IClusterListener.OnMessageAsync(string message, CancellationToken cancellationToken)
    {
        if (JsonSerializer.Deserialize<string[]>(message) is { } tags)
        {
            await cache.RemoveByTagAsync(tags, cancellationToken);
        }
    }

    async Task IClusterListener.OnMaybeMissedAsync(CancellationToken cancellationToken) =>
        await cache.RemoveByTagAsync(Everything, cancellationToken);

    /// <summary>HybridCache's tag for every entry.</summary>
    private const string Everything = "*";
}
