using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.UseCases;

internal static class WebhookMapping
{
    public static readonly WebhookEndpointStats NoStats = new(0, 0, null);

    public static WebhookEndpointDto ToDto(this WebhookEndpoint endpoint, WebhookEndpointStats? stats = null) => new(
        endpoint.Id, endpoint.TenantId, endpoint.Url, endpoint.Description, endpoint.EventTypes, endpoint.Enabled, endpoint.DisabledReason,
        endpoint.RateLimitPerSecond, endpoint.Headers, endpoint.CreatedAt, endpoint.FailingSince, endpoint.PreviousSecretExpiresAt, stats ?? NoStats);

    /// <param name="deliveries">The message's deliveries (or those to one endpoint, for that endpoint's view).</param>
    public static WebhookMessageDto ToDto(this WebhookMessage message, IReadOnlyCollection<WebhookDelivery> deliveries) => new(
        message.Id, message.TenantId, message.WebhookId, message.EventType, message.EventId, message.CreatedAt, deliveries.Count,
        StatusOf(deliveries)?.ToString(), [.. deliveries.Select(d => d.EndpointId)]);

    /// <summary>
    /// A message's state across its deliveries, by what needs a look first: failed, then pending, then succeeded.
    /// ListWebhookMessages filters by the same rule.
    /// </summary>
    private static DeliveryStatus? StatusOf(IReadOnlyCollection<WebhookDelivery> deliveries) =>
        deliveries.Count == 0 ? null
        : deliveries.Any(d => d.Status == DeliveryStatus.Failed) ? DeliveryStatus.Failed
        : deliveries.Any(d => d.Status == DeliveryStatus.Pending) ? DeliveryStatus.Pending
        : DeliveryStatus.Succeeded;

    public static WebhookDeliveryDto ToDto(this WebhookDelivery delivery, IEnumerable<WebhookAttempt> attempts) => new(
        delivery.Id, delivery.MessageId, delivery.EndpointId, delivery.Status.ToString(), delivery.Attempts, delivery.NextAttemptAt,
        [.. attempts.OrderBy(a => a.AttemptedAt).Select(a => a.ToDto())]);

    public static WebhookAttemptDto ToDto(this WebhookAttempt attempt) => new(
        attempt.Id, attempt.AttemptedAt, attempt.Trigger.ToString(), attempt.ResponseStatus, attempt.Error, attempt.DurationMs, attempt.ResponseBody, attempt.NextAttemptAt);
}
