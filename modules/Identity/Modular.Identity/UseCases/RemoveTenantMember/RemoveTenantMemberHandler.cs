using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.RemoveTenantMember;

public sealed class RemoveTenantMemberHandler(
    IdentityDbContext db, ITenantContext scope, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.RemoveTenantMember>
{
    public async ValueTask<Unit> Handle(Contracts.RemoveTenantMember command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var membership = await db.GetMemberAsync(tenantId, command.UserId, cancellationToken);
        // Removing someone takes away all they hold here: only a caller holding as much may (an admin cannot remove an owner).
        await grants.EnsureMayGrantAsync(await roles.PermissionsInTenantAsync(tenantId, membership.Roles, cancellationToken), tenantId.ToString(), cancellationToken);
        await db.EnsureAnotherOwnerAsync(membership, cancellationToken);
        db.Memberships.Remove(membership);
        db.Audit(tenantId, caller, "membership.removed", $"user:{command.UserId}", null, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        await authorizations.EndSessionsInTenantAsync(tokens, cache, command.UserId, tenantId, cancellationToken);
        return Unit.Value;
    }
}

internal static class RemoveTenantMemberEndpoint
{
    public static void MapRemoveTenantMember(this IEndpointRouteBuilder members) =>
        members.MapDelete("/{userId:guid}", async (Guid userId, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.RemoveTenantMember(userId), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("RemoveTenantMember").WithSummary("Take a member out of the caller's tenant and end their sessions there")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.MembersManage);
}
