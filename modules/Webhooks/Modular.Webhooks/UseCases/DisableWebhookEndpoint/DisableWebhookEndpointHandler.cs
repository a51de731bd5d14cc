using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.DisableWebhookEndpoint;

public sealed class DisableWebhookEndpointHandler(WebhooksDbContext db) : ICommandHandler<Contracts.DisableWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(Contracts.DisableWebhookEndpoint command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.Id, cancellationToken);
        endpoint.Disable("Disabled by an operator.");
        return endpoint.ToDto();
    }
}

internal static class DisableWebhookEndpointEndpoint
{
    public static void MapDisableWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/endpoints/{id:guid}/disable", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.DisableWebhookEndpoint(id), cancellationToken)))
            .WithName("DisableWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
