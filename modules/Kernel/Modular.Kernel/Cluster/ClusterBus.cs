namespace Modular.Kernel.Cluster;

/// <summary>
/// Small messages from this instance to every other instance of the platform: PostgreSQL <c>NOTIFY</c> on one channel
/// (<see cref="PostgresClusterBus"/>), or nothing to send on SQLite, where there is one instance. Delivery is at most once
/// and in no promised order; a listener told that messages may have been missed (after a lost connection) must assume
/// the worst. It is for wake-ups and invalidations, never for data: what a message says must also be in the database.
/// </summary>
public interface IClusterBus
{
    /// <summary>Sends <paramref name="message"/> on <paramref name="topic"/> to the other instances (not to this one).</summary>
    Task PublishAsync(string topic, string message, CancellationToken cancellationToken);
}

/// <summary>Receives one topic's messages from the other instances; registered as a singleton.</summary>
public interface IClusterListener
{
    string Topic { get; }

    Task OnMessageAsync(string message, CancellationToken cancellationToken);

    /// <summary>Messages may have been lost (the bus reconnected): whatever they could have said, act as if they did.</summary>
    Task OnMaybeMissedAsync(CancellationToken cancellationToken);
}

/// <summary>One instance alone (SQLite): there is no one else to tell.</summary>
internal sealed class LocalClusterBus : IClusterBus
{
    public Task PublishAsync(string topic, string message, CancellationToken cancellationToken) => Task.CompletedTask;
}
