using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.ListSsoConnections;

public sealed class ListSsoConnectionsHandler(IdentityDbContext db, ITenantContext scope)
    : IQueryHandler<Contracts.ListSsoConnections, IReadOnlyList<SsoConnectionDto>>
{
    public async ValueTask<IReadOnlyList<SsoConnectionDto>> Handle(Contracts.ListSsoConnections query, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var connections = await db.SsoConnections.AsNoTracking().Where(c => c.TenantId == tenantId).OrderBy(c => c.Name).ToListAsync(cancellationToken);
        var domains = (await db.SsoDomains.AsNoTracking().Where(d => d.TenantId == tenantId).OrderBy(d => d.Domain).ToListAsync(cancellationToken))
            .ToLookup(d => d.ConnectionId);
        return [.. connections.Select(c => SsoConnections.ToDto(c, domains[c.Id]))];
    }
}

internal static class ListSsoConnectionsEndpoint
{
    public static void MapListSsoConnections(this IEndpointRouteBuilder sso) =>
        sso.MapGet("/", async (ISender sender, CancellationToken cancellationToken) => TypedResults.Ok(await sender.Send(new Contracts.ListSsoConnections(), cancellationToken)))
            .WithName("ListSsoConnections").WithSummary("The caller's tenant's SSO connections, with their domains and state");
}
