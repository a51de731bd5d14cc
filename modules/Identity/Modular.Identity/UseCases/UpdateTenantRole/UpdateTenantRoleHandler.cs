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

namespace Modular.Identity.UseCases.UpdateTenantRole;

public sealed class UpdateTenantRoleHandler(
    IdentityDbContext db, ITenantContext scope, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.UpdateTenantRole, TenantRoleDto>
{
    public async ValueTask<TenantRoleDto> Handle(Contracts.UpdateTenantRole command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var role = await db.GetCustomRoleAsync(roles, tenantId, command.Name, cancellationToken);
        // Rewriting a role changes what its holders may do: the caller must hold what it grants now and what it will.
        await grants.EnsureMayGrantAsync(role.Permissions.Concat(command.Permissions), tenantId.ToString(), cancellationToken);
        var old = role.Permissions;
        var now = clock.GetUtcNow();
        var takenAway = role.Change(command.Description, command.Permissions, now);
        db.Audit(tenantId, caller, "role.changed", $"role:{role.Name}", new { old, @new = role.Permissions }, now);
        await db.CommitAsync(cancellationToken);
        if (takenAway)
        {
            foreach (var holder in await db.HoldersAsync(tenantId, role.Name, cancellationToken))
            {
                await authorizations.EndSessionsInTenantAsync(tokens, cache, holder.UserId, tenantId, cancellationToken);
            }
        }

        return role.ToDto();
    }
}

internal sealed class UpdateTenantRoleValidator : AbstractValidator<Contracts.UpdateTenantRole>
{
    public UpdateTenantRoleValidator(RoleGrants grants)
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(TenantRole.NameMaxLength);
        RuleFor(c => c.Description).MaximumLength(TenantRole.DescriptionMaxLength);
        RuleFor(c => c.Permissions).PermissionCount();
        RuleForEach(c => c.Permissions).Assignable(grants);
    }
}

/// <summary>The body of <c>PUT /tenant/roles/{name}</c>: the role's whole definition but its name, which never changes.</summary>
internal sealed record UpdateTenantRoleBody(string? Description, IReadOnlyList<string> Permissions);

internal static class UpdateTenantRoleEndpoint
{
    public static void MapUpdateTenantRole(this IEndpointRouteBuilder roles) =>
        roles.MapPut("/{name}", async (string name, UpdateTenantRoleBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.UpdateTenantRole(name, body.Description, body.Permissions), cancellationToken)))
            .WithName("UpdateTenantRole").WithSummary("Change one of the caller's tenant's roles")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.RolesManage);
}
