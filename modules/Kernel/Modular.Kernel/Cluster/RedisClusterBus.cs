using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Modular.Kernel.Cluster;

/// <summary>
/// The cluster bus on Redis pub/sub, when <c>Redis:ConnectionString</c> is set: one channel, subscribed once per
/// instance. When the connection comes back the listeners are told that messages may have been missed.
/// </summary>
internal sealed partial class RedisClusterBus(IConnectionMultiplexer redis, ClusterMessages messages, ILogger<RedisClusterBus> logger) : IHostedService, IClusterBus
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("modular:cluster");

    /// <summary>
    /// A message Redis cannot take is lost, not thrown: when Redis comes back every instance is told it may have missed
    /// messages, and caches expire meanwhile.
    /// </summary>
    public async Task PublishAsync(string topic, string message, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, messages.Wrap(topic, message));
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            LogPublishFailed(logger, topic, e);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
        queue.OnMessage(message => messages.DeliverAsync(message.Message.ToString(), CancellationToken.None));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        await redis.GetSubscriber().UnsubscribeAsync(Channel);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: a message on cluster topic {Topic} was not sent")]
    private static partial void LogPublishFailed(ILogger logger, string topic, Exception exception);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = messages.MaybeMissedAsync(CancellationToken.None);
        }
    }
}
