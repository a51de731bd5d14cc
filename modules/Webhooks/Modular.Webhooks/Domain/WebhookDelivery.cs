using Modular.Kernel.Tenancy;

namespace Modular.Webhooks.Domain;

public enum DeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
}

public enum AttemptTrigger
{
    Automatic,
    Manual,
}

/// <summary>
/// A message on its way to one endpoint: the dispatcher's work item. Pending deliveries whose
/// <see cref="NextAttemptAt"/> has come are claimed, attempted, and either finished or rescheduled
/// on the retry schedule; a manual resend is one attempt, without automatic retries after it.
/// </summary>
public sealed class WebhookDelivery : ITenantOwned
{
    private WebhookDelivery()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid MessageId { get; private set; }

    public Guid EndpointId { get; private set; }

    public DeliveryStatus Status { get; private set; }

    /// <summary>Automatic attempts made so far: the position in the retry schedule.</summary>
    public int Attempts { get; private set; }

    public DateTimeOffset? NextAttemptAt { get; private set; }

    public AttemptTrigger NextTrigger { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public static WebhookDelivery Create(WebhookMessage message, Guid endpointId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = message.TenantId,
        MessageId = message.Id,
        EndpointId = endpointId,
        Status = DeliveryStatus.Pending,
        NextAttemptAt = now,
        NextTrigger = AttemptTrigger.Automatic,
        CreatedAt = now,
    };

    /// <summary>Queues one manual attempt, now.</summary>
    public void Redeliver(DateTimeOffset now)
    {
        Status = DeliveryStatus.Pending;
        NextAttemptAt = now;
        NextTrigger = AttemptTrigger.Manual;
        CompletedAt = null;
    }

    public void Succeed(DateTimeOffset now)
    {
        Status = DeliveryStatus.Succeeded;
        NextAttemptAt = null;
        CompletedAt = now;
    }

    public void Fail(DateTimeOffset now)
    {
        Status = DeliveryStatus.Failed;
        NextAttemptAt = null;
        CompletedAt = now;
    }

    public void RetryAt(DateTimeOffset at) => NextAttemptAt = at;

    /// <summary>Counts an automatic attempt (manual ones leave the schedule where it was).</summary>
    public void CountAttempt()
    {
        if (NextTrigger == AttemptTrigger.Automatic)
        {
            Attempts++;
        }
    }
}
