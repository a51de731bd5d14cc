using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.ListTenantRoles;

public sealed class ListTenantRolesHandler(IdentityDbContext db, ITenantContext scope, RoleGrants roles) : IQueryHandler<Contracts.ListTenantRoles, TenantRoleList>
{
    private static readonly Dictionary<string, string> BuiltInDescriptions = new()
    {
        [IdentityRoles.Owner] = "Owns the tenant: everything an admin may do, and making or unmaking owners.",
        [IdentityRoles.TenantAdmin] = "Manages the tenant: its members, roles, settings and integrations.",
        [IdentityRoles.Member] = "Uses the tenant.",
    };

    public async ValueTask<TenantRoleList> Handle(Contracts.ListTenantRoles query, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var builtIn = roles.BuiltInTenantRoles.Select(role => new TenantRoleDto(
            role, BuiltInDescriptions.GetValueOrDefault(role), [.. roles.PermissionsOf([role]).Order(StringComparer.Ordinal)], BuiltIn: true));
        var own = await db.TenantRoles.AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(r => r.Name).ToListAsync(cancellationToken);
        return new TenantRoleList([.. builtIn, .. own.Select(r => r.ToDto())], roles.AssignablePermissions);
    }
}

internal static class ListTenantRolesEndpoint
{
    public static void MapListTenantRoles(this IEndpointRouteBuilder roles) =>
        roles.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListTenantRoles(), cancellationToken)))
            .WithName("ListTenantRoles").WithSummary("The built-in roles and the caller's tenant's own, with the permissions roles may be made of")
            .RequirePermission(IdentityPermissions.MembersRead);
}
