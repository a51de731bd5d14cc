using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ListWebhookMessages;

public sealed class ListWebhookMessagesHandler(WebhooksDbContext db) : IQueryHandler<Contracts.ListWebhookMessages, WebhookMessagePage>
{
    public async ValueTask<WebhookMessagePage> Handle(Contracts.ListWebhookMessages query, CancellationToken cancellationToken)
    {
        var endpointId = query.EndpointId;
        if (endpointId is { } id)
        {
            _ = await db.GetEndpointAsync(id, cancellationToken); // another tenant's endpoint is not found
        }

        // The deliveries a message's status is read from: all of them, or the one to the endpoint asked about.
        var deliveries = endpointId is null ? db.Deliveries : db.Deliveries.Where(d => d.EndpointId == endpointId);
        var messages = db.Messages.AsNoTracking();
        if (endpointId is not null)
        {
            messages = messages.Where(m => deliveries.Any(d => d.MessageId == m.Id));
        }

        if (query.Status is { } status)
        {
            // The rule of WebhookMessageDto.Status: failed first, then pending, then succeeded.
            messages = Enum.Parse<DeliveryStatus>(status) switch
            {
                DeliveryStatus.Failed => messages.Where(m => deliveries.Any(d => d.MessageId == m.Id && d.Status == DeliveryStatus.Failed)),
                DeliveryStatus.Pending => messages.Where(m =>
                    deliveries.Any(d => d.MessageId == m.Id && d.Status == DeliveryStatus.Pending)
                    && !deliveries.Any(d => d.MessageId == m.Id && d.Status == DeliveryStatus.Failed)),
                _ => messages.Where(m =>
                    deliveries.Any(d => d.MessageId == m.Id) && !deliveries.Any(d => d.MessageId == m.Id && d.Status != DeliveryStatus.Succeeded)),
            };
        }

        if (query.EventType is { } eventType)
        {
            messages = messages.Where(m => m.EventType == eventType);
        }

        if (query.Since is { } since)
        {
            messages = messages.Where(m => m.CreatedAt >= since);
        }

        if (query.Until is { } until)
        {
            messages = messages.Where(m => m.CreatedAt < until);
        }

        if (query.TenantId is { } tenantId)
        {
            messages = messages.Where(m => m.TenantId == tenantId);
        }

        var total = await messages.CountAsync(cancellationToken);
        var page = await messages
            .OrderByDescending(m => m.Id) // v7 ids: newest first, and a stable order
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken);
        var ids = page.ConvertAll(m => m.Id);
        var pageDeliveries = (await deliveries.AsNoTracking().Where(d => ids.Contains(d.MessageId)).ToListAsync(cancellationToken))
            .ToLookup(d => d.MessageId);
        return new WebhookMessagePage([.. page.Select(m => m.ToDto([.. pageDeliveries[m.Id]]))], query.Page, query.PageSize, total);
    }
}

internal sealed class ListWebhookMessagesValidator : AbstractValidator<Contracts.ListWebhookMessages>
{
    private static readonly string[] Statuses = Enum.GetNames<DeliveryStatus>();

    public ListWebhookMessagesValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 200);
        RuleFor(q => q.Status).Must(s => s is null || Statuses.Contains(s, StringComparer.Ordinal))
            .WithMessage($"Status is one of: {string.Join(", ", Statuses)}.");
        RuleFor(q => q.EventType).MaximumLength(WebhookMessage.EventTypeMaxLength);
        RuleFor(q => q.Until).GreaterThan(q => q.Since).When(q => q.Since is not null && q.Until is not null)
            .WithMessage("Until is after since.");
    }
}

internal static class ListWebhookMessagesEndpoint
{
    public static void MapListWebhookMessages(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/messages", async (
                ISender sender,
                CancellationToken cancellationToken,
                Guid? endpointId = null,
                int page = 1,
                int pageSize = 50,
                string? status = null,
                string? eventType = null,
                DateTimeOffset? since = null,
                DateTimeOffset? until = null) =>
                TypedResults.Ok(await sender.Send(
                    new Contracts.ListWebhookMessages(endpointId, page, pageSize, status, eventType, since, until), cancellationToken)))
            .WithName("ListWebhookMessages")
            .WithSummary("The message log, newest first; filtered by endpoint, status, event type and time")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);
}
