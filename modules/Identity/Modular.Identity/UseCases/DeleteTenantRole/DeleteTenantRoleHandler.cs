using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.DeleteTenantRole;

public sealed class DeleteTenantRoleHandler(
    IdentityDbContext db, ITenantContext scope, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.DeleteTenantRole>
{
    public async ValueTask<Unit> Handle(Contracts.DeleteTenantRole command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var role = await db.GetCustomRoleAsync(roles, tenantId, command.Name, cancellationToken);
        // Deleting takes the role's permissions from everyone holding it.
        await grants.EnsureMayGrantAsync(role.Permissions, tenantId.ToString(), cancellationToken);
        var holders = await db.HoldersAsync(tenantId, role.Name, cancellationToken);
        foreach (var holder in holders)
        {
            // A member keeps a role: the baseline one, when this was their only role.
            var left = holder.Roles.Where(r => r != role.Name).ToList();
            holder.ReplaceRoles(left.Count > 0 ? left : [IdentityRoles.Member]);
        }

        db.TenantRoles.Remove(role);
        db.Audit(tenantId, caller, "role.deleted", $"role:{role.Name}", new { permissions = role.Permissions, holders = holders.Select(h => h.UserId) }, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        foreach (var holder in holders)
        {
            await authorizations.EndSessionsInTenantAsync(tokens, cache, holder.UserId, tenantId, cancellationToken);
        }

        return Unit.Value;
    }
}

internal sealed class DeleteTenantRoleValidator : AbstractValidator<Contracts.DeleteTenantRole>
{
    public DeleteTenantRoleValidator() => RuleFor(c => c.Name).NotEmpty().MaximumLength(TenantRole.NameMaxLength);
}

internal static class DeleteTenantRoleEndpoint
{
    public static void MapDeleteTenantRole(this IEndpointRouteBuilder roles) =>
        roles.MapDelete("/{name}", async (string name, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.DeleteTenantRole(name), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteTenantRole").WithSummary("Delete one of the caller's tenant's roles; its holders lose it and their sessions there")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.RolesManage);
}
