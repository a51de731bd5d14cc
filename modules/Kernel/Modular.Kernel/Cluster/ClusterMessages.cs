using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Modular.Kernel.Cluster;

/// <summary>
/// What both cluster buses share: the envelope a message travels in (its sender, so an instance skips its own, its
/// topic, its text), and handing what arrives to the listeners of its topic.
/// </summary>
internal sealed partial class ClusterMessages(IServiceProvider services, ILogger<ClusterMessages> logger)
{
    /// <summary>PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; Redis takes the same bound.</summary>
    public const int MaxPayloadBytes = 7_900;

    private readonly string _instance = Guid.NewGuid().ToString("N");
    private IReadOnlyList<IClusterListener>? _listeners;

    public string Wrap(string topic, string message)
    {
        var payload = JsonSerializer.Serialize(new Envelope(_instance, topic, message));
        return System.Text.Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes
            ? payload
            : throw new ArgumentException($"A cluster message must stay under {MaxPayloadBytes} bytes.", nameof(message));
    }

    /// <summary>Hands another instance's message to the listeners of its topic; a listener's failure is logged, not thrown.</summary>
    public async Task DeliverAsync(string payload, CancellationToken cancellationToken)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(payload);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is null || envelope.From == _instance)
        {
            return;
        }

        foreach (var listener in Listeners.Where(l => l.Topic == envelope.Topic))
        {
            try
            {
                await listener.OnMessageAsync(envelope.Message, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogListenerFailed(logger, envelope.Topic, e);
            }
        }
    }

    /// <summary>Tells every listener that messages may have been lost.</summary>
    public async Task MaybeMissedAsync(CancellationToken cancellationToken)
    {
        foreach (var listener in Listeners)
        {
            await listener.OnMaybeMissedAsync(cancellationToken);
        }
    }

    // Resolved late: listeners (the cluster cache) depend on the bus, which depends on this.
    private IReadOnlyList<IClusterListener> Listeners => _listeners ??= [.. services.GetServices<IClusterListener>()];

    private sealed record Envelope(string From, string Topic, string Message);

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of cluster topic {Topic} failed")]
    private static partial void LogListenerFailed(ILogger logger, string topic, Exception exception);
}
