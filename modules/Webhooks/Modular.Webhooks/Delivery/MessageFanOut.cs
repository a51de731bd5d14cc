using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Cluster;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Turns an event into a message and one delivery per subscribed, enabled endpoint of its tenant, in one
/// save. The (tenant, event id) unique index makes it idempotent: the same event again, even from two
/// callers at once, yields the first message.
/// </summary>
public sealed class MessageFanOut(WebhooksDbContext db, DeliverySignal signal, TenantEventSignal events, LiveChanges live, TimeProvider clock)
{
    /// <summary>The Standard Webhooks payload: <c>{"type", "timestamp", "data"}</c>, frozen as the bytes to sign and send.</summary>
    public static string Payload(string eventType, DateTimeOffset timestamp, JsonElement data)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", eventType);
            json.WriteString("timestamp", timestamp);
            json.WritePropertyName("data");
            data.WriteTo(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <param name="onlyEndpoint">Deliver to this endpoint only (a test event), whatever it subscribes to.</param>
    public async Task<(WebhookMessage Message, IReadOnlyList<WebhookDelivery> Deliveries)> SendAsync(
        Guid tenantId, string eventType, string eventId, JsonElement data, Guid? onlyEndpoint, CancellationToken cancellationToken)
    {
        if (await FindAsync(tenantId, eventId, cancellationToken) is { } existing)
        {
            return existing;
        }

        var now = clock.GetUtcNow();
        var message = WebhookMessage.Create(tenantId, eventType, eventId, Payload(eventType, now, data), now);
        var endpoints = await db.Endpoints.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Enabled && (onlyEndpoint == null || e.Id == onlyEndpoint))
            .ToListAsync(cancellationToken);
        var deliveries = endpoints.Where(e => onlyEndpoint is not null || e.Wants(eventType)).Select(e => WebhookDelivery.Create(message, e.Id, now)).ToList();
        db.Messages.Add(message);
        db.Deliveries.AddRange(deliveries);
        db.AfterCommit(token => events.AnnounceAsync(tenantId, token)); // the tenant's event streams, on every instance
        live.AnnounceOnCommit(db, MessageLogChanges.Subject);
        try
        {
            await db.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another caller sent the same event first: theirs stands.
            db.ChangeTracker.Clear();
            if (await FindAsync(tenantId, eventId, cancellationToken) is { } first)
            {
                return first;
            }

            throw;
        }

        if (deliveries.Count > 0)
        {
            signal.Notify();
        }

        return (message, deliveries);
    }

    private async Task<(WebhookMessage, IReadOnlyList<WebhookDelivery>)?> FindAsync(Guid tenantId, string eventId, CancellationToken cancellationToken)
    {
        var found = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenantId && m.EventId == eventId, cancellationToken);
        return found is null ? null : (found, await db.Deliveries.AsNoTracking().Where(d => d.MessageId == found.Id).ToListAsync(cancellationToken));
    }
}
