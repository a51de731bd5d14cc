using System.Security.Claims;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;

namespace Modular.Kernel.Security;

/// <summary>
/// Nobody grants what they do not hold. Every place that hands out permissions or access to a tenant (a client's
/// permissions and tenant, a membership's roles) asks this before storing anything, and gets
/// <see cref="GrantNotHeldException"/> (403, naming what is not held) when:
/// <list type="bullet">
/// <item>the caller does not hold one of the permissions itself, or it is a <c>platform.*</c> permission and the
/// caller is not a platform admin;</item>
/// <item>the caller is bound to a tenant (its token carries a <c>tenant</c> claim) and the grant is for another
/// tenant, or for none (platform-wide). A tenant-bound caller's permissions hold in its tenant only. A caller
/// without a tenant (a platform operator) holds its permissions platform-wide, and may grant them in any
/// tenant; so may a platform admin.</item>
/// </list>
/// The system (seeding, background work: no caller at all) is trusted.
/// </summary>
public sealed class GrantCheck(ICaller caller, ITenantDirectory? tenants = null)
{
    /// <summary>Throws unless the caller may grant <paramref name="permissions"/> in <paramref name="tenant"/> (id or slug; null: platform-wide).</summary>
    public async Task EnsureMayGrantAsync(IEnumerable<string> permissions, string? tenant, CancellationToken cancellationToken)
    {
        if (caller.User is not { } user)
        {
            return;
        }

        var granted = permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var notHeld = granted.Where(p => !Holds(user, p)).ToList();
        if (notHeld.Count > 0)
        {
            throw new GrantNotHeldException($"You may grant only permissions you hold yourself (platform.* ones only as a platform admin); you do not hold {string.Join(", ", notHeld)}.");
        }

        var ownTenants = user.FindAll(ModularClaims.Tenant).Select(c => c.Value).ToList();
        if (user.Identity?.IsAuthenticated == true && (ownTenants.Count == 0 || user.HasPermission(PlatformPermissions.Admin)))
        {
            return; // platform-wide
        }

        var target = tenant is null || tenants is null ? null : await tenants.FindAsync(tenant, cancellationToken);
        if (target is null || !ownTenants.Any(t => t == target.Id.ToString() || t == target.Slug))
        {
            var what = granted.Count > 0 ? string.Join(", ", granted) : "any access";
            var where = tenant is null ? "every tenant (a grant without a tenant is platform-wide)" : $"tenant '{tenant}'";
            throw new GrantNotHeldException($"Your permissions hold in your own tenant only; you do not hold {what} in {where}.");
        }
    }

    /// <summary>What the caller may grant, for the console's pickers: the permissions they hold (platform.* ones only as a platform admin).</summary>
    public IReadOnlyList<string> GrantablePermissions() => caller.User is not { } user ? [] :
        [.. user.FindAll(ModularClaims.Permission).Select(c => c.Value).Where(p => Holds(user, p)).Distinct().Order(StringComparer.Ordinal)];

    private static bool Holds(ClaimsPrincipal user, string permission) =>
        user.HasPermission(permission) && (!permission.StartsWith(PlatformPermissions.Prefix, StringComparison.Ordinal) || user.HasPermission(PlatformPermissions.Admin));
}
