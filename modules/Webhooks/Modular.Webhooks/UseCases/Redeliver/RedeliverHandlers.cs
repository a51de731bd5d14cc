using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.Redeliver;

/// <summary>One manual attempt of a message to an endpoint of its tenant, now, whatever happened before.</summary>
public sealed class ResendWebhookMessageHandler(WebhooksDbContext db, DeliverySignal signal, TimeProvider clock)
    : ICommandHandler<ResendWebhookMessage, WebhookDeliveryDto>
{
    public async ValueTask<WebhookDeliveryDto> Handle(ResendWebhookMessage command, CancellationToken cancellationToken)
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
        await db.CommitAsync(cancellationToken);
        signal.Notify();
        return delivery.ToDto([]);
    }
}

/// <summary>Queues a manual attempt of every delivery to the endpoint that failed since the given time.</summary>
public sealed class RecoverWebhookEndpointHandler(WebhooksDbContext db, DeliverySignal signal, TimeProvider clock)
    : ICommandHandler<RecoverWebhookEndpoint, WebhookRecoveryDto>
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(14);

    public async ValueTask<WebhookRecoveryDto> Handle(RecoverWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (command.Since < now - MaxWindow || command.Since > now)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["since"] = ["Recover from a time within the last 14 days."] });
        }

        var endpoint = await db.GetEndpointAsync(command.EndpointId, cancellationToken);
        var failed = await db.Deliveries
            .Where(d => d.EndpointId == endpoint.Id && d.Status == DeliveryStatus.Failed && d.CreatedAt >= command.Since)
            .ToListAsync(cancellationToken);
        foreach (var delivery in failed)
        {
            delivery.Redeliver(now);
        }

        await db.CommitAsync(cancellationToken);
        signal.Notify();
        return new WebhookRecoveryDto(endpoint.Id, failed.Count);
    }
}

internal sealed class RecoverWebhookEndpointValidator : AbstractValidator<RecoverWebhookEndpoint>
{
    public RecoverWebhookEndpointValidator() => RuleFor(c => c.Since).NotEmpty();
}

internal static class RedeliverEndpoints
{
    public static void MapRedeliver(this IEndpointRouteBuilder webhooks)
    {
        webhooks.MapPost("/messages/{id:guid}/resend", async (Guid id, ResendBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await sender.Send(new ResendWebhookMessage(id, body.EndpointId), cancellationToken)))
            .WithName("ResendWebhookMessage")
            .WithSummary("Deliver a message to one endpoint again, now")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);

        webhooks.MapPost("/endpoints/{id:guid}/recover", async (Guid id, RecoverBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await sender.Send(new RecoverWebhookEndpoint(id, body.Since), cancellationToken)))
            .WithName("RecoverWebhookEndpoint")
            .WithSummary("Resend every failed message of an endpoint since a time (at most 14 days ago)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
    }

    public sealed record ResendBody(Guid EndpointId);

    public sealed record RecoverBody(DateTimeOffset Since);
}
