using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Identity.Configuration;

/// <summary>
/// What holding roles permits: the one place roles become permissions. Built-in roles grant what configuration says
/// (<c>Identity:RolePermissions</c>, over the modules' defaults); a tenant's custom roles grant what the tenant chose,
/// in that tenant only. Token issuance, the grant checks and the member use cases all ask here.
/// </summary>
public sealed class RoleGrants
{
    private readonly IdentitySettings _settings;
    private readonly IdentityDbContext _db;

    internal RoleGrants(IOptions<IdentitySettings> settings, IEnumerable<DefaultGrants> defaults, IdentityDbContext db)
    {
        _settings = settings.Value;
        _db = db;
        // What a tenant may build roles from: what the modules grant tenant admins and members, never platform.* (the
        // owner-only permission is not among them: only the owner role makes owners).
        AssignablePermissions = [.. defaults.SelectMany(g => (g.TenantAdmins ?? []).Concat(g.Members ?? []))
            .Where(p => !p.StartsWith(PlatformPermissions.Prefix, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The roles configuration defines that a membership may hold: every configured role but the platform's.</summary>
    public IEnumerable<string> BuiltInTenantRoles => _settings.RolePermissions.Keys.Where(r => r != IdentityRoles.PlatformAdmin).Order(StringComparer.Ordinal);

    public IReadOnlyList<string> AssignablePermissions { get; }

    public bool IsBuiltIn(string role) => _settings.RolePermissions.ContainsKey(role);

    /// <summary>What configured roles permit (platform roles, or built-in tenant roles).</summary>
    public IEnumerable<string> PermissionsOf(IEnumerable<string> roles) => _settings.PermissionsOf(roles);

    /// <summary>What <paramref name="roles"/> permit in <paramref name="tenantId"/>: built-in roles' grants and the tenant's own roles'.</summary>
    public async Task<IReadOnlyList<string>> PermissionsInTenantAsync(Guid tenantId, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        var names = roles.Distinct().ToList();
        var custom = names.Where(r => !IsBuiltIn(r)).ToList();
        List<List<string>> own = custom.Count == 0 ? [] : await _db.TenantRoles.AsNoTracking()
            .Where(r => r.TenantId == tenantId && custom.Contains(r.Name)).Select(r => r.Permissions).ToListAsync(cancellationToken);
        return [.. PermissionsOf(names).Concat(own.SelectMany(p => p)).Distinct()];
    }

    /// <summary>Refuses (400, naming the entry) a role that is neither built in nor one of the tenant's own.</summary>
    public async Task EnsureTenantRolesAsync(Guid tenantId, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        var custom = roles.Where(r => !IsBuiltIn(r)).Distinct().ToList();
        List<string> known = custom.Count == 0 ? [] : await _db.TenantRoles.AsNoTracking()
            .Where(r => r.TenantId == tenantId && custom.Contains(r.Name)).Select(r => r.Name).ToListAsync(cancellationToken);
        var errors = roles.Select((role, index) => (role, index))
            .Where(r => r.role == IdentityRoles.PlatformAdmin || (!IsBuiltIn(r.role) && !known.Contains(r.role)))
            .ToDictionary(r => $"roles[{r.index}]", r => new[] { $"'{r.role}' is not a role of this tenant; tenant roles are {string.Join(", ", BuiltInTenantRoles)} and the tenant's own." });
        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }
    }
}
