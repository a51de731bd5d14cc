using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases;

/// <summary>
/// The rules every change to a tenant's members follows, whether an operator or the tenant's own admin makes it:
/// roles must exist in the tenant, nobody grants (or takes away) what they do not hold, and a tenant that has owners
/// keeps at least one.
/// </summary>
internal static class TenantMembers
{
    /// <summary>The tenant of the caller's scope: tenant use cases act there and nowhere else.</summary>
    public static Guid CurrentTenantId(this ITenantContext scope) =>
        scope.Tenant?.Id ?? throw new NotFoundException("Tenant", "(none in scope)");

    /// <summary>The signed-in user's id, when the caller is a user (not a client, not the system).</summary>
    public static Guid? UserId(this ICaller caller) =>
        Guid.TryParse(caller.User?.FindFirstValue(Claims.Subject), out var id) ? id : null;

    /// <summary>A member of <paramref name="tenantId"/>; 404 for anyone else, whether or not they exist or belong elsewhere.</summary>
    public static async Task<Membership> GetMemberAsync(this IdentityDbContext db, Guid tenantId, Guid userId, CancellationToken cancellationToken) =>
        await db.Memberships.FirstOrDefaultAsync(m => m.TenantId == tenantId && m.UserId == userId, cancellationToken)
        ?? throw new NotFoundException("Member", userId);

    /// <summary>Refuses (409 last-owner) to let the tenant's last owner leave, be removed or stop being an owner.</summary>
    public static async Task EnsureAnotherOwnerAsync(this IdentityDbContext db, Membership leaving, CancellationToken cancellationToken)
    {
        if (leaving.IsOwner && !await db.Memberships.AnyAsync(
                m => m.TenantId == leaving.TenantId && m.Id != leaving.Id && m.Roles.Contains(IdentityRoles.Owner), cancellationToken))
        {
            throw new LastOwnerException();
        }
    }

    /// <summary>
    /// Replaces a membership's roles under the rules; returns whether a role was taken away (the member's sessions in
    /// the tenant must then end, once the change is committed). The caller must hold what the old roles and the new
    /// grant: rewriting a member's roles takes their power over, as rewriting a client does.
    /// </summary>
    public static async Task<bool> ReplaceRolesAsync(
        this IdentityDbContext db, Membership membership, IReadOnlyList<string> roles, RoleGrants grants, GrantCheck check, CancellationToken cancellationToken)
    {
        await grants.EnsureTenantRolesAsync(membership.TenantId, roles, cancellationToken);
        var touched = await grants.PermissionsInTenantAsync(membership.TenantId, membership.Roles.Concat(roles), cancellationToken);
        await check.EnsureMayGrantAsync(touched, membership.TenantId.ToString(), cancellationToken);
        if (!roles.Contains(IdentityRoles.Owner))
        {
            await db.EnsureAnotherOwnerAsync(membership, cancellationToken);
        }

        var takenAway = membership.Roles.Except(roles).Any();
        membership.ReplaceRoles(roles);
        return takenAway;
    }

    /// <summary>
    /// After a committed change that took power away: ends the member's sessions in the tenant (tokens carry the roles'
    /// permissions; the next sign-in has the new ones) and makes this instance forget their memberships.
    /// </summary>
    public static async Task EndSessionsInTenantAsync(
        this IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache, Guid userId, Guid tenantId,
        CancellationToken cancellationToken)
    {
        await authorizations.RevokeInTenantAsync(tokens, userId, tenantId, cancellationToken);
        await MembershipDirectory.ForgetUserAsync(cache, userId, cancellationToken);
    }

    public static TenantMemberDto ToMemberDto(this Membership membership, User user) =>
        new(user.Id, user.Email ?? "", user.DisplayName, membership.Roles, membership.CreatedAt);
}

/// <summary>The tenant's last owner cannot leave, be removed or step down; another owner must be made first.</summary>
internal sealed class LastOwnerException() : ProblemException(
    "The last owner", "A tenant keeps at least one owner: make another member an owner (or transfer ownership) first.")
{
    public override int Status => 409;

    public override string Type => ProblemTypes.LastOwner;
}
