using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.GetWebhookEndpoint;

public sealed class GetWebhookEndpointHandler(WebhooksDbContext db, TimeProvider clock) : IQueryHandler<Contracts.GetWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(Contracts.GetWebhookEndpoint query, CancellationToken cancellationToken)
    {
        var endpoint = await db.Endpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Webhook endpoint", query.Id);
        var stats = await EndpointStats.ForAsync(db, [endpoint.Id], clock.GetUtcNow(), cancellationToken);
        return endpoint.ToDto(stats.GetValueOrDefault(endpoint.Id));
    }
}

internal static class GetWebhookEndpointEndpoint
{
    public static void MapGetWebhookEndpoint(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/endpoints/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetWebhookEndpoint(id), cancellationToken)))
            .WithName("GetWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);
}
