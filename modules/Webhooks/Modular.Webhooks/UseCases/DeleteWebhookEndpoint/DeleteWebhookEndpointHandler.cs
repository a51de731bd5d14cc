using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.DeleteWebhookEndpoint;

/// <summary>Deletes the endpoint with its deliveries and attempts (messages stay for the tenant's other endpoints).</summary>
public sealed class DeleteWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<Contracts.DeleteWebhookEndpoint, Unit>
{
    public async ValueTask<Unit> Handle(Contracts.DeleteWebhookEndpoint command, CancellationToken cancellationToken)
    {
        db.Endpoints.Remove(await db.GetEndpointAsync(command.Id, cancellationToken));
        return Unit.Value;
    }
}

internal static class DeleteWebhookEndpointEndpoint
{
    public static void MapDeleteWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapDelete("/endpoints/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.DeleteWebhookEndpoint(id), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
