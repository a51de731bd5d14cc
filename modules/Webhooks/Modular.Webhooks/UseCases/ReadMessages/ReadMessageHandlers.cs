using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ReadMessages;

public sealed class ListWebhookMessagesHandler(WebhooksDbContext db) : IQueryHandler<ListWebhookMessages, WebhookMessagePage>
{
    public async ValueTask<WebhookMessagePage> Handle(ListWebhookMessages query, CancellationToken cancellationToken)
    {
        var messages = db.Messages.AsNoTracking();
        if (query.EndpointId is { } endpointId)
        {
            _ = await db.GetEndpointAsync(endpointId, cancellationToken); // another tenant's endpoint is not found
            messages = messages.Where(m => db.Deliveries.Any(d => d.MessageId == m.Id && d.EndpointId == endpointId));
        }

        var total = await messages.CountAsync(cancellationToken);
        var page = await messages
            .OrderByDescending(m => m.Id) // v7 ids: newest first, and a stable order
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .Select(m => new { Message = m, Deliveries = db.Deliveries.Count(d => d.MessageId == m.Id) })
            .ToListAsync(cancellationToken);
        return new WebhookMessagePage([.. page.Select(p => p.Message.ToDto(p.Deliveries))], query.Page, query.PageSize, total);
    }
}

internal sealed class ListWebhookMessagesValidator : AbstractValidator<ListWebhookMessages>
{
    public ListWebhookMessagesValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 200);
    }
}

public sealed class GetWebhookMessageHandler(WebhooksDbContext db) : IQueryHandler<GetWebhookMessage, WebhookMessageDetailDto>
{
    public async ValueTask<WebhookMessageDetailDto> Handle(GetWebhookMessage query, CancellationToken cancellationToken)
    {
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Webhook message", query.Id);
        var deliveries = await db.Deliveries.AsNoTracking().Where(d => d.MessageId == message.Id).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        var attempts = (await db.Attempts.AsNoTracking().Where(a => a.MessageId == message.Id).ToListAsync(cancellationToken)).ToLookup(a => a.DeliveryId);
        return new WebhookMessageDetailDto(message.ToDto(deliveries.Count), message.Payload, [.. deliveries.Select(d => d.ToDto(attempts[d.Id]))]);
    }
}

internal static class ReadMessageEndpoints
{
    public static void MapReadMessages(this IEndpointRouteBuilder webhooks)
    {
        webhooks.MapGet("/messages", async (ISender sender, CancellationToken cancellationToken, Guid? endpointId = null, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await sender.Send(new ListWebhookMessages(endpointId, page, pageSize), cancellationToken)))
            .WithName("ListWebhookMessages")
            .WithSummary("The message log, newest first; optionally one endpoint's")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);

        webhooks.MapGet("/messages/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetWebhookMessage(id), cancellationToken)))
            .WithName("GetWebhookMessage")
            .WithSummary("One message, its payload as sent, its deliveries and every attempt")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);
    }
}
