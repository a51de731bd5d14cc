using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.EventTypes;

namespace Modular.Webhooks.UseCases.ListWebhookEventTypes;

public sealed class ListWebhookEventTypesHandler(EventTypeCatalog catalog) : IQueryHandler<Contracts.ListWebhookEventTypes, IReadOnlyList<WebhookEventType>>
{
    public ValueTask<IReadOnlyList<WebhookEventType>> Handle(Contracts.ListWebhookEventTypes query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(catalog.All);
}

internal static class ListWebhookEventTypesEndpoint
{
    public static void MapListWebhookEventTypes(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/event-types", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListWebhookEventTypes(), cancellationToken)))
            .WithName("ListWebhookEventTypes")
            .WithSummary("The event types endpoints may subscribe to")
            .RequirePermission(WebhooksPermissions.Read);
}
