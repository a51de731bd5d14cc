using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ReadEndpoints;

public sealed class GetWebhookEndpointHandler(WebhooksDbContext db, TimeProvider clock) : IQueryHandler<GetWebhookEndpoint, WebhookEndpointDto>
{
    public async ValueTask<WebhookEndpointDto> Handle(GetWebhookEndpoint query, CancellationToken cancellationToken)
    {
        var endpoint = await db.Endpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == query.Id, cancellationToken)
            ?? throw new Kernel.Errors.NotFoundException("Webhook endpoint", query.Id);
        var stats = await EndpointStats.ForAsync(db, [endpoint.Id], clock.GetUtcNow(), cancellationToken);
        return endpoint.ToDto(stats.GetValueOrDefault(endpoint.Id));
    }
}

public sealed class ListWebhookEndpointsHandler(WebhooksDbContext db, TimeProvider clock) : IQueryHandler<ListWebhookEndpoints, IReadOnlyList<WebhookEndpointDto>>
{
    public async ValueTask<IReadOnlyList<WebhookEndpointDto>> Handle(ListWebhookEndpoints query, CancellationToken cancellationToken)
    {
        var endpoints = await db.Endpoints.AsNoTracking()
            .Where(e => query.TenantId == null || e.TenantId == query.TenantId)
            .OrderByDescending(e => e.Id)
            .Take(1000)
            .ToListAsync(cancellationToken);
        var stats = await EndpointStats.ForAsync(db, [.. endpoints.Select(e => e.Id)], clock.GetUtcNow(), cancellationToken);
        return [.. endpoints.Select(e => e.ToDto(stats.GetValueOrDefault(e.Id)))];
    }
}

public sealed class ListWebhookEventTypesHandler(EventTypeCatalog catalog) : IQueryHandler<ListWebhookEventTypes, IReadOnlyList<WebhookEventType>>
{
    public ValueTask<IReadOnlyList<WebhookEventType>> Handle(ListWebhookEventTypes query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(catalog.All);
}

/// <summary>Per-endpoint success rate over the attempts of the last 7 days.</summary>
internal static class EndpointStats
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    public static async Task<Dictionary<Guid, WebhookEndpointStats>> ForAsync(WebhooksDbContext db, List<Guid> endpointIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - Window;
        var counts = await db.Attempts.AsNoTracking()
            .Where(a => endpointIds.Contains(a.EndpointId) && a.AttemptedAt >= since)
            .GroupBy(a => a.EndpointId)
            .Select(g => new { EndpointId = g.Key, Attempts = g.Count(), Succeeded = g.Count(a => a.ResponseStatus >= 200 && a.ResponseStatus < 300) })
            .ToListAsync(cancellationToken);
        return counts.ToDictionary(
            c => c.EndpointId,
            c => new WebhookEndpointStats(c.Attempts, c.Succeeded, c.Attempts == 0 ? null : (double)c.Succeeded / c.Attempts));
    }
}

internal static class ReadEndpointEndpoints
{
    public static void MapReadEndpoints(this IEndpointRouteBuilder webhooks)
    {
        webhooks.MapGet("/endpoints", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListWebhookEndpoints(), cancellationToken)))
            .WithName("ListWebhookEndpoints")
            .WithSummary("The tenant's endpoints, newest first, with their success rate")
            .RequirePermission(WebhooksPermissions.Read);

        webhooks.MapGet("/endpoints/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetWebhookEndpoint(id), cancellationToken)))
            .WithName("GetWebhookEndpoint")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(WebhooksPermissions.Read);

        webhooks.MapGet("/event-types", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListWebhookEventTypes(), cancellationToken)))
            .WithName("ListWebhookEventTypes")
            .WithSummary("The event types endpoints may subscribe to")
            .RequirePermission(WebhooksPermissions.Read);
    }

    /// <summary>Platform operators: every tenant's endpoints, or one tenant's.</summary>
    public static void MapPlatformEndpoints(this IEndpointRouteBuilder platform) =>
        platform.MapGet("/endpoints", async (ISender sender, CancellationToken cancellationToken, Guid? tenantId = null) =>
                TypedResults.Ok(await sender.Send(new ListWebhookEndpoints(tenantId), cancellationToken)))
            .WithName("ListAllWebhookEndpoints")
            .WithSummary("Endpoints across tenants (platform operators)")
            .RequirePermission(PlatformPermissions.Admin);
}
