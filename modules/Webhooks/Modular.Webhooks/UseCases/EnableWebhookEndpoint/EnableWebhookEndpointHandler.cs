using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.EnableWebhookEndpoint;

public sealed class EnableWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<Contracts.EnableWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(Contracts.EnableWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        endpoint.Enable();
        return endpoint.ToDto();
    }
}

internal static class EnableWebhookEndpointEndpoint
{
    public static void MapEnableWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/endpoints/{id:guid}/enable", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.EnableWebhookEndpoint(id), cancellationToken)))
            .WithName("EnableWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
