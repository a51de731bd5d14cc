using Modular.Kernel.Tenancy;

namespace Modular.Webhooks.Domain;

/// <summary>One HTTP request of a delivery, kept for the message log.</summary>
public sealed class WebhookAttempt : ITenantOwned
{
    public const int ErrorMaxLength = 500;
    public const int ResponseBodyMaxLength = 1024;

    private WebhookAttempt()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid DeliveryId { get; private set; }

    public Guid MessageId { get; private set; }

    public Guid EndpointId { get; private set; }

    public DateTimeOffset AttemptedAt { get; private set; }

    public AttemptTrigger Trigger { get; private set; }

    public int? ResponseStatus { get; private set; }

    public string? Error { get; private set; }

    public double DurationMs { get; private set; }

    public string? ResponseBody { get; private set; }

    public DateTimeOffset? NextAttemptAt { get; private set; }

    public bool Succeeded => ResponseStatus is >= 200 and < 300;

    public static WebhookAttempt Create(
        WebhookDelivery delivery, DateTimeOffset attemptedAt, AttemptTrigger trigger, int? status, string? error, TimeSpan duration, string? responseBody) => new()
        {
            Id = Guid.CreateVersion7(attemptedAt),
            TenantId = delivery.TenantId,
            DeliveryId = delivery.Id,
            MessageId = delivery.MessageId,
            EndpointId = delivery.EndpointId,
            AttemptedAt = attemptedAt,
            Trigger = trigger,
            ResponseStatus = status,
            Error = error is { Length: > ErrorMaxLength } ? error[..ErrorMaxLength] : error,
            DurationMs = duration.TotalMilliseconds,
            ResponseBody = responseBody is { Length: > ResponseBodyMaxLength } ? responseBody[..ResponseBodyMaxLength] : responseBody,
        };

    public void ScheduledNext(DateTimeOffset? at) => NextAttemptAt = at;
}
