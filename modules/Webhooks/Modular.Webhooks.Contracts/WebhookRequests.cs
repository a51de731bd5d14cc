using System.Text.Json;
using Mediator;

namespace Modular.Webhooks.Contracts;

// Every request works inside the caller's tenant. Code that runs across all tenants (the admin
// console, other modules' background work) names the tenant with TenantId; inside a tenant scope
// TenantId must be omitted or be that tenant.

/// <summary>Registers a receiver; the answer carries its signing secret, the only time it is shown.</summary>
/// <param name="EventTypes">Event types to receive; empty or null for all.</param>
/// <param name="RateLimitPerSecond">At most this many deliveries per second to this endpoint; null for no limit.</param>
/// <param name="Headers">Extra request headers sent with every delivery.</param>
public sealed record CreateWebhookEndpoint(
    string Url,
    IReadOnlyList<string>? EventTypes = null,
    string? Description = null,
    int? RateLimitPerSecond = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    Guid? TenantId = null) : ICommand<CreatedWebhookEndpoint>;

/// <summary>Changes what is given (a null field stays as it is).</summary>
public sealed record UpdateWebhookEndpoint(
    Guid Id,
    string? Url = null,
    IReadOnlyList<string>? EventTypes = null,
    string? Description = null,
    int? RateLimitPerSecond = null,
    IReadOnlyDictionary<string, string>? Headers = null) : ICommand<WebhookEndpointDto>;

/// <summary>
/// Issues a new secret; the old one keeps signing beside it for <paramref name="GraceHours"/> (24 by
/// default, 0 to drop it at once), so receivers can switch without missing a message.
/// </summary>
public sealed record RotateWebhookEndpointSecret(Guid Id, int? GraceHours = null) : ICommand<WebhookEndpointSecret>;

public sealed record EnableWebhookEndpoint(Guid Id) : ICommand<WebhookEndpointDto>;

public sealed record DisableWebhookEndpoint(Guid Id) : ICommand<WebhookEndpointDto>;

public sealed record DeleteWebhookEndpoint(Guid Id) : ICommand<Unit>;

public sealed record GetWebhookEndpoint(Guid Id) : IQuery<WebhookEndpointDto>;

/// <summary>The tenant's endpoints (every tenant's in an all-tenants scope), newest first.</summary>
/// <param name="TenantId">Only this tenant's (for operators, who see every tenant's).</param>
/// <param name="Search">Only those whose URL or description contains it, in any case.</param>
public sealed record ListWebhookEndpoints(Guid? TenantId = null, string? Search = null) : IQuery<IReadOnlyList<WebhookEndpointDto>>;

/// <summary>
/// Sends a message to every enabled endpoint of the tenant subscribed to <paramref name="EventType"/>.
/// Idempotent by <paramref name="EventId"/>: the same id again returns the first message, unchanged.
/// </summary>
/// <param name="Data">The event's data; delivered as the <c>data</c> of the Standard Webhooks payload.</param>
public sealed record SendWebhookMessage(string EventType, string EventId, JsonElement Data, Guid? TenantId = null) : ICommand<WebhookMessageDto>;

/// <summary>Sends a <c>webhook.test</c> message to one endpoint only.</summary>
public sealed record SendWebhookTestEvent(Guid EndpointId) : ICommand<WebhookMessageDto>;

/// <summary>Delivers a message to an endpoint once more, now (a manual attempt).</summary>
public sealed record ResendWebhookMessage(Guid MessageId, Guid EndpointId) : ICommand<WebhookDeliveryDto>;

/// <summary>Resends every failed delivery to an endpoint since <paramref name="Since"/> (at most 14 days ago).</summary>
public sealed record RecoverWebhookEndpoint(Guid EndpointId, DateTimeOffset Since) : ICommand<WebhookRecoveryDto>;

/// <summary>Messages, newest first, filtered by what is given.</summary>
/// <param name="EndpointId">Only those meant for this endpoint (their status is then this endpoint's delivery's).</param>
/// <param name="Status">Only those in this state (<see cref="WebhookMessageDto.Status"/>): Pending, Succeeded or Failed.</param>
/// <param name="EventType">Only events of this type.</param>
/// <param name="Since">Only those created at or after this instant.</param>
/// <param name="Until">Only those created before this instant.</param>
/// <param name="TenantId">Only this tenant's (for operators, who see every tenant's).</param>
public sealed record ListWebhookMessages(
    Guid? EndpointId = null,
    int Page = 1,
    int PageSize = 50,
    string? Status = null,
    string? EventType = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    Guid? TenantId = null) : IQuery<WebhookMessagePage>;

/// <summary>One endpoint's attempts per day over the last <paramref name="Days"/> days (UTC days, today last).</summary>
public sealed record GetWebhookEndpointActivity(Guid EndpointId, int Days = 14) : IQuery<WebhookEndpointActivity>;

public sealed record WebhookEndpointActivity(Guid EndpointId, IReadOnlyList<WebhookActivityDay> Days);

/// <param name="Day">The UTC day.</param>
public sealed record WebhookActivityDay(DateOnly Day, int Attempts, int Succeeded);

/// <summary>One message with its deliveries and every attempt.</summary>
public sealed record GetWebhookMessage(Guid Id) : IQuery<WebhookMessageDetailDto>;

public sealed record ListWebhookEventTypes : IQuery<IReadOnlyList<WebhookEventType>>;

/// <summary>What the console's dashboard says about webhooks, across tenants.</summary>
public sealed record GetWebhooksOverview : IQuery<WebhooksOverview>;

/// <param name="Failing">Enabled endpoints whose last deliveries failed (and not since succeeded).</param>
/// <param name="Disabled">Endpoints switched off, by someone or for failing too long.</param>
/// <param name="FailedLastDay">Deliveries that failed for good in the last 24 hours.</param>
/// <param name="Pending">Deliveries waiting for their next attempt.</param>
public sealed record WebhooksOverview(int Endpoints, int Failing, int Disabled, int FailedLastDay, int Pending);

public sealed record WebhookEndpointDto(
    Guid Id,
    Guid TenantId,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    bool Enabled,
    string? DisabledReason,
    int? RateLimitPerSecond,
    IReadOnlyDictionary<string, string> Headers,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FailingSince,
    DateTimeOffset? PreviousSecretExpiresAt,
    WebhookEndpointStats Stats);

/// <summary>Attempts of the last 7 days; <see cref="SuccessRate"/> is null when there were none.</summary>
public sealed record WebhookEndpointStats(int Attempts, int Succeeded, double? SuccessRate);

public sealed record CreatedWebhookEndpoint(WebhookEndpointDto Endpoint, string Secret);

public sealed record WebhookEndpointSecret(Guid EndpointId, string Secret, DateTimeOffset? PreviousSecretExpiresAt);

/// <param name="WebhookId">The <c>webhook-id</c> header of every attempt of this message.</param>
/// <param name="Deliveries">How many endpoints it goes to.</param>
/// <param name="Status">
/// Failed when a delivery failed for good, else Pending while one waits, else Succeeded; null when no endpoint wanted it.
/// </param>
/// <param name="EndpointIds">The endpoints it goes to.</param>
public sealed record WebhookMessageDto(
    Guid Id,
    Guid TenantId,
    string WebhookId,
    string EventType,
    string EventId,
    DateTimeOffset CreatedAt,
    int Deliveries,
    string? Status,
    IReadOnlyList<Guid> EndpointIds);

public sealed record WebhookMessagePage(IReadOnlyList<WebhookMessageDto> Items, int Page, int PageSize, int Total);

/// <param name="Payload">The body exactly as sent and signed.</param>
public sealed record WebhookMessageDetailDto(WebhookMessageDto Message, string Payload, IReadOnlyList<WebhookDeliveryDto> Deliveries);

/// <param name="Status">Pending, Succeeded or Failed.</param>
public sealed record WebhookDeliveryDto(
    Guid Id,
    Guid MessageId,
    Guid EndpointId,
    string Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    IReadOnlyList<WebhookAttemptDto> AttemptLog);

/// <param name="Trigger">Automatic or Manual.</param>
/// <param name="ResponseStatus">The HTTP status, or null when no response came (see <paramref name="Error"/>).</param>
/// <param name="ResponseBody">The first bytes of the response body.</param>
public sealed record WebhookAttemptDto(
    Guid Id,
    DateTimeOffset AttemptedAt,
    string Trigger,
    int? ResponseStatus,
    string? Error,
    double DurationMs,
    string? ResponseBody,
    DateTimeOffset? NextAttemptAt);

public sealed record WebhookRecoveryDto(Guid EndpointId, int Redelivering);

/// <summary>Delivery statuses, as they appear in <see cref="WebhookDeliveryDto.Status"/>.</summary>
public static class WebhookDeliveryStatuses
{
    public const string Pending = "Pending";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
}
