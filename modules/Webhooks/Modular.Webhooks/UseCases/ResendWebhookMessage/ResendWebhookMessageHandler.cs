using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ResendWebhookMessage;

/// <summary>One manual attempt of a message to an endpoint of its tenant, now, whatever happened before.</summary>
public sealed class ResendWebhookMessageHandler(WebhooksDbContext db, DeliverySignal signal, LiveChanges live, TimeProvider clock)
    : ICommandHandler<Contracts.ResendWebhookMessage, WebhookDeliveryDto>
{
    public async ValueTask<WebhookDeliveryDto> Handle(Contracts.ResendWebhookMessage command, CancellationToken cancellationToken)
    {
        var message = await db.Messages.FirstOrDefaultAsync(m => m.Id == command.MessageId, cancellationToken)
            ?? throw new NotFoundException("Webhook message", command.MessageId);
        var endpoint = await db.GetEndpointAsync(command.EndpointId, cancellationToken);
        if (endpoint.TenantId != message.TenantId)
        {
            throw new NotFoundException("Webhook endpoint", command.EndpointId); // in an all-tenants scope, still not across tenants
        }

        var now = clock.GetUtcNow();
        var delivery = await db.Deliveries.FirstOrDefaultAsync(d => d.MessageId == message.Id && d.EndpointId == endpoint.Id, cancellationToken);
        if (delivery is null)
        {
            delivery = WebhookDelivery.Create(message, endpoint.Id, now);
            db.Deliveries.Add(delivery);
        }

        delivery.Redeliver(now);
        live.AnnounceOnCommit(db, MessageLogChanges.Subject);
        await db.CommitAsync(cancellationToken);
        signal.Notify();
        return delivery.ToDto([]);
    }
}

internal sealed record ResendWebhookMessageBody(Guid EndpointId);

internal static class ResendWebhookMessageEndpoint
{
    public static void MapResendWebhookMessage(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/messages/{id:guid}/resend", async (Guid id, ResendWebhookMessageBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await sender.Send(new Contracts.ResendWebhookMessage(id, body.EndpointId), cancellationToken)))
            .WithName("ResendWebhookMessage")
            .WithSummary("Deliver a message to one endpoint again, now")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
