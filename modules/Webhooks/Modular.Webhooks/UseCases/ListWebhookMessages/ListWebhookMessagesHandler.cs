using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ListWebhookMessages;

public sealed class ListWebhookMessagesHandler(WebhooksDbContext db) : IQueryHandler<Contracts.ListWebhookMessages, WebhookMessagePage>
{
    public async ValueTask<WebhookMessagePage> Handle(Contracts.ListWebhookMessages query, CancellationToken cancellationToken)
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

internal sealed class ListWebhookMessagesValidator : AbstractValidator<Contracts.ListWebhookMessages>
{
    public ListWebhookMessagesValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 200);
    }
}

internal static class ListWebhookMessagesEndpoint
{
    public static void MapListWebhookMessages(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/messages", async (ISender sender, CancellationToken cancellationToken, Guid? endpointId = null, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListWebhookMessages(endpointId, page, pageSize), cancellationToken)))
            .WithName("ListWebhookMessages")
            .WithSummary("The message log, newest first; optionally one endpoint's")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);
}
