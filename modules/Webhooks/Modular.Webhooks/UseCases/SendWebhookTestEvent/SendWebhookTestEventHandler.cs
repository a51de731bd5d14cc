using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.SendWebhookTestEvent;

public sealed class SendWebhookTestEventHandler(MessageFanOut fanOut, WebhooksDbContext db, TimeProvider clock)
    : ICommandHandler<Contracts.SendWebhookTestEvent, WebhookMessageDto>
{
    public async ValueTask<WebhookMessageDto> Handle(Contracts.SendWebhookTestEvent command, CancellationToken cancellationToken)
    {
        var endpoint = await db.GetEndpointAsync(command.EndpointId, cancellationToken);
        var data = JsonSerializer.SerializeToElement(new { endpointId = endpoint.Id, message = "A test event from the platform." });
        var eventId = $"test:{endpoint.Id:N}:{clock.GetUtcNow().UtcTicks}";
        var (message, deliveries) = await fanOut.SendAsync(endpoint.TenantId, WebhookEventTypes.Test, eventId, data, endpoint.Id, cancellationToken);
        return message.ToDto(deliveries);
    }
}

internal static class SendWebhookTestEventEndpoint
{
    public static void MapSendWebhookTestEvent(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapPost("/endpoints/{id:guid}/test", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Accepted((string?)null, await sender.Send(new Contracts.SendWebhookTestEvent(id), cancellationToken)))
            .WithName("SendWebhookTestEvent")
            .WithSummary("Send a webhook.test message to one endpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Manage);
}
