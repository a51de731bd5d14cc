using System.Security.Cryptography;
using System.Text.Json;
using Mediator;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;

namespace Modular.Webhooks.UseCases.ForwardTenantEvents;

/// <summary>
/// The tenants module's integration events, as webhook messages to the tenant's own endpoints. The
/// outbox delivers each event at least once; the message's event id is derived from the event's
/// content, so a redelivered event finds its first message instead of making a second one.
/// </summary>
public sealed class TenantEventWebhooks(MessageFanOut fanOut, TenantScope scope)
    : INotificationHandler<TenantCreated>,
      INotificationHandler<TenantRenamed>,
      INotificationHandler<TenantPlanChanged>,
      INotificationHandler<TenantSuspended>,
      INotificationHandler<TenantReactivated>,
      INotificationHandler<TenantDeletionScheduled>
{
    public static readonly IReadOnlyList<WebhookEventType> EventTypes =
    [
        new(WebhookEventTypes.TenantCreated, "A tenant was created.", """{"tenantId":"0194f3a2-0000-7000-8000-000000000000","slug":"acme","name":"Acme","plan":"free"}"""),
        new(WebhookEventTypes.TenantRenamed, "A tenant's display name changed.", """{"tenantId":"0194f3a2-0000-7000-8000-000000000000","oldName":"Acme","newName":"Acme Inc."}"""),
        new(WebhookEventTypes.TenantPlanChanged, "A tenant moved to another plan.", """{"tenantId":"0194f3a2-0000-7000-8000-000000000000","oldPlan":"free","newPlan":"pro"}"""),
        new(WebhookEventTypes.TenantSuspended, "A tenant was suspended.", """{"tenantId":"0194f3a2-0000-7000-8000-000000000000","reason":"unpaid invoice"}"""),
        new(WebhookEventTypes.TenantReactivated, "A tenant's suspension or scheduled deletion ended.", """{"tenantId":"0194f3a2-0000-7000-8000-000000000000"}"""),
        new(WebhookEventTypes.TenantDeletionScheduled, "A tenant will be purged after its retention period.", """{"tenantId":"0194f3a2-0000-7000-8000-000000000000","purgeAfter":"2026-12-24T00:00:00Z"}"""),
    ];

    public ValueTask Handle(TenantCreated e, CancellationToken cancellationToken) =>
        SendAsync(e.TenantId, WebhookEventTypes.TenantCreated, e, new { tenantId = e.TenantId, slug = e.Slug, name = e.Name, plan = e.Plan }, cancellationToken);

    public ValueTask Handle(TenantRenamed e, CancellationToken cancellationToken) =>
        SendAsync(e.TenantId, WebhookEventTypes.TenantRenamed, e, new { tenantId = e.TenantId, oldName = e.OldName, newName = e.NewName }, cancellationToken);

    public ValueTask Handle(TenantPlanChanged e, CancellationToken cancellationToken) =>
        SendAsync(e.TenantId, WebhookEventTypes.TenantPlanChanged, e, new { tenantId = e.TenantId, oldPlan = e.OldPlan, newPlan = e.NewPlan }, cancellationToken);

    public ValueTask Handle(TenantSuspended e, CancellationToken cancellationToken) =>
        SendAsync(e.TenantId, WebhookEventTypes.TenantSuspended, e, new { tenantId = e.TenantId, reason = e.Reason }, cancellationToken);

    public ValueTask Handle(TenantReactivated e, CancellationToken cancellationToken) =>
        SendAsync(e.TenantId, WebhookEventTypes.TenantReactivated, e, new { tenantId = e.TenantId }, cancellationToken);

    public ValueTask Handle(TenantDeletionScheduled e, CancellationToken cancellationToken) =>
        SendAsync(e.TenantId, WebhookEventTypes.TenantDeletionScheduled, e, new { tenantId = e.TenantId, purgeAfter = e.PurgeAfter }, cancellationToken);

    private async ValueTask SendAsync<TEvent>(Guid tenantId, string eventType, TEvent integrationEvent, object data, CancellationToken cancellationToken)
    {
        scope.EnterAllTenants(); // outbox work has no tenant of its own; the rows name theirs
        var content = JsonSerializer.SerializeToUtf8Bytes(integrationEvent);
        var eventId = $"{eventType}:{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}";
        await fanOut.SendAsync(tenantId, eventType, eventId, JsonSerializer.SerializeToElement(data), null, cancellationToken);
    }
}
