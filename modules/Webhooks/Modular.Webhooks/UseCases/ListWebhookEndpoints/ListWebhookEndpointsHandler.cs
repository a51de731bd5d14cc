using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.ListWebhookEndpoints;

public sealed class ListWebhookEndpointsHandler(WebhooksDbContext db, TimeProvider clock) : IQueryHandler<Contracts.ListWebhookEndpoints, IReadOnlyList<WebhookEndpointDto>>
{
    public async ValueTask<IReadOnlyList<WebhookEndpointDto>> Handle(Contracts.ListWebhookEndpoints query, CancellationToken cancellationToken)
    {
        var endpoints = db.Endpoints.AsNoTracking().Where(e => query.TenantId == null || e.TenantId == query.TenantId);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToLowerInvariant();
            endpoints = endpoints.Where(e => e.Url.ToLower().Contains(search) || (e.Description != null && e.Description.ToLower().Contains(search)));
        }

        var found = await endpoints
            .OrderByDescending(e => e.Id)
            .Take(1000)
            .ToListAsync(cancellationToken);
        var stats = await EndpointStats.ForAsync(db, [.. found.Select(e => e.Id)], clock.GetUtcNow(), cancellationToken);
        return [.. found.Select(e => e.ToDto(stats.GetValueOrDefault(e.Id)))];
    }
}

internal sealed class ListWebhookEndpointsValidator : AbstractValidator<Contracts.ListWebhookEndpoints>
{
    public ListWebhookEndpointsValidator() => RuleFor(q => q.Search).MaximumLength(100);
}

internal static class ListWebhookEndpointsEndpoint
{
    public static void MapListWebhookEndpoints(this IEndpointRouteBuilder webhooks) =>
        webhooks.MapGet("/endpoints", async (ISender sender, CancellationToken cancellationToken, string? search = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListWebhookEndpoints(Search: search), cancellationToken)))
            .WithName("ListWebhookEndpoints")
            .WithSummary("The tenant's endpoints, newest first, with their success rate")
            .RequirePermission(WebhooksPermissions.Read);

    /// <summary>Platform operators: every tenant's endpoints, or one tenant's.</summary>
    public static void MapListAllWebhookEndpoints(this IEndpointRouteBuilder platform) =>
        platform.MapGet("/endpoints", async (ISender sender, CancellationToken cancellationToken, Guid? tenantId = null, string? search = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListWebhookEndpoints(tenantId, search), cancellationToken)))
            .WithName("ListAllWebhookEndpoints")
            .WithSummary("Endpoints across tenants (platform operators)")
            .RequirePermission(PlatformPermissions.Admin);
}
