namespace Modular.Webhooks;

/// <summary>The <c>Webhooks</c> configuration section.</summary>
internal sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>Run the delivery worker (off in tests that drive the dispatcher themselves).</summary>
    public bool DeliveryEnabled { get; set; } = true;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries claimed, and sent concurrently, per round.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a receiver has to answer one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Allow <c>http://</c> endpoint URLs (development only: deliveries are then unencrypted).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Networks (CIDR, e.g. <c>127.0.0.1/32</c>) endpoints may reach although they are private,
    /// loopback or link-local. Empty in production; tests list their loopback receivers.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>The largest message payload accepted, in bytes.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>An endpoint failing without a single success for this long is disabled.</summary>
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Messages and their attempts are deleted after this long.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How far back an event stream resumes from a client's <c>Last-Event-ID</c>.</summary>
    public TimeSpan StreamResumeWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often an idle event stream sends a comment line, so proxies keep it open.</summary>
    public TimeSpan StreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a stream looks for new events without a wake-up (one may be lost).</summary>
    public TimeSpan StreamPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Event streams one tenant may hold open on one instance; past it, 429.</summary>
    public int StreamsPerTenant { get; set; } = 10;
}
