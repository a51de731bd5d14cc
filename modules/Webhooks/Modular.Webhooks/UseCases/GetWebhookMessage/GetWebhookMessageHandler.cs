using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.GetWebhookMessage;

public sealed class GetWebhookMessageHandler(WebhooksDbContext db) : IQueryHandler<Contracts.GetWebhookMessage, WebhookMessageDetailDto>
{
    public async ValueTask<WebhookMessageDetailDto> Handle(Contracts.GetWebhookMessage query, CancellationToken cancellationToken)
    {
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Webhook message", query.Id);
        var deliveries = await db.Deliveries.AsNoTracking().Where(d => d.MessageId == message.Id).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        var attempts = (await db.Attempts.AsNoTracking().Where(a => a.MessageId == message.Id).ToListAsync(cancellationToken)).ToLookup(a => a.DeliveryId);
        return new WebhookMessageDetailDto(message.ToDto(deliveries), message.Payload, [.. deliveries.Select(d => d.ToDto(attempts[d.Id]))]);
    }
}

internal static class GetWebhookMessageEndpoint
{
    public static void MapGetWebhookMessage(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/messages/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetWebhookMessage(id), cancellationToken)))
            .WithName("GetWebhookMessage")
            .WithSummary("One message, its payload as sent, its deliveries and every attempt")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);
}
