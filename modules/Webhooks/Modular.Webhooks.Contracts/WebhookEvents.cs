using Mediator;

namespace Modular.Webhooks.Contracts;

/// <summary>
/// <c>endpoint.message_failed</c>: every attempt to deliver a message to an endpoint failed. Published
/// through the outbox so other modules (notifications, billing) can tell the tenant.
/// </summary>
public sealed record WebhookMessageFailed(Guid TenantId, Guid EndpointId, Guid MessageId, string EventType, DateTimeOffset FailedAt) : INotification;

/// <summary>An endpoint was switched off by delivery (410 Gone, or failing for too long), not by a person.</summary>
public sealed record WebhookEndpointDisabled(Guid TenantId, Guid EndpointId, string Reason, DateTimeOffset DisabledAt) : INotification;
