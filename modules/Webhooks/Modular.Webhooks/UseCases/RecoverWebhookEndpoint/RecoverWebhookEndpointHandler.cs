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

namespace Modular.Webhooks.UseCases.RecoverWebhookEndpoint;

/// <summary>Queues a manual attempt of every delivery to the endpoint that failed since the given time.</summary>
public sealed class RecoverWebhookEndpointHandler(WebhooksDbContext db, DeliverySignal signal, TimeProvider clock)
    : ICommandHandler<Contracts.RecoverWebhookEndpoint, WebhookRecoveryDto>
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(14);

    public async ValueTask<WebhookRecoveryDto> Handle(Contracts.RecoverWebhookEndpoint command, CancellationToken cancellationToken)
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

internal sealed class RecoverWebhookEndpointValidator : AbstractValidator<Contracts.RecoverWebhookEndpoint>
{
    public RecoverWebhookEndpointValidator() => RuleFor(c => c.Since).NotEmpty();
}

internal sealed record RecoverWebhookEndpointBody(DateTimeOffset Since);

internal static class RecoverWebhookEndpointEndpoint
{
    public static void MapRecoverWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/endpoints/{id:guid}/recover", async (Guid id, RecoverWebhookEndpointBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await sender.Send(new Contracts.RecoverWebhookEndpoint(id, body.Since), cancellationToken)))
            .WithName("RecoverWebhookEndpoint")
            .WithSummary("Resend every failed message of an endpoint since a time (at most 14 days ago)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
