using Modular.Kernel.Tenancy;

namespace Modular.Webhooks.Domain;

/// <summary>
/// One event for one tenant, its payload frozen at creation: every attempt to every endpoint sends
/// these exact bytes, and <see cref="WebhookId"/> is the <c>webhook-id</c> header of all of them.
/// </summary>
public sealed class WebhookMessage : ITenantOwned
{
    public const int EventTypeMaxLength = 100;
    public const int EventIdMaxLength = 200;

    private WebhookMessage()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string EventType { get; private set; } = "";

    /// <summary>The sender's idempotency key: unique per tenant.</summary>
    public string EventId { get; private set; } = "";

    public string Payload { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public string WebhookId => IdFor(Id);

    public static string IdFor(Guid messageId) => "msg_" + messageId.ToString("N");

    public static WebhookMessage Create(Guid tenantId, string eventType, string eventId, string payload, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        EventType = eventType,
        EventId = eventId,
        Payload = payload,
        CreatedAt = now,
    };
}
