using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Tenancy;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases.ListMyTenants;

/// <summary>
/// The caller's own memberships, across tenants (a switcher lists tenants the caller is not in scope of yet). Only
/// the caller's: the query is keyed by the signed-in subject, never by anything the caller sends.
/// </summary>
public sealed class ListMyTenantsHandler(IdentityDbContext db, TenantScope scope, ITenantDirectory tenants, ICaller caller)
    : IQueryHandler<Contracts.ListMyTenants, IReadOnlyList<MyTenantDto>>
{
    public async ValueTask<IReadOnlyList<MyTenantDto>> Handle(Contracts.ListMyTenants query, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(caller.User?.FindFirstValue(Claims.Subject), out var userId))
        {
            return []; // a client acting for itself, or nobody: no memberships of its own
        }

        scope.EnterAllTenants(); // a user's memberships span tenants; the filter below keeps them to the caller's
        var preferred = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PreferredTenantId).FirstOrDefaultAsync(cancellationToken);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).ToListAsync(cancellationToken);
        var mine = new List<MyTenantDto>(memberships.Count);
        foreach (var membership in memberships)
        {
            // A tenant the directory no longer knows (purged, or never activated) is not one to switch to.
            if (await tenants.FindAsync(membership.TenantId.ToString(), cancellationToken) is { } tenant)
            {
                mine.Add(new MyTenantDto(tenant.Id, tenant.Slug, membership.Roles, tenant.Id == preferred));
            }
        }

        return [.. mine.OrderBy(t => t.Slug, StringComparer.Ordinal)];
    }
}

internal static class ListMyTenantsEndpoint
{
    public static void MapListMyTenants(this IEndpointRouteBuilder api) =>
        api.MapGet(IdentityRoutes.MyTenants, async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListMyTenants(), cancellationToken)))
            .WithTags("Tenant: members")
            .WithName("ListMyTenants").WithSummary("The signed-in user's tenants and roles, to pick one for a token (the authorize request's tenant parameter)")
            .RequireAuthorization();
}
