using Modular.Identity.Contracts;
using Modular.Kernel.Security;

namespace Modular.Identity.Configuration;

/// <summary>The <c>Identity</c> configuration section: issuer, keys, seeded admin and clients, role permissions.</summary>
internal sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>The issuer URI tokens carry; behind a proxy, the public URL. Unset: the request's own URL.</summary>
    public Uri? Issuer { get; set; }

    /// <summary>RSA private keys (PEM files) that sign tokens; the first signs, all are published for rotation.</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>RSA private keys (PEM files) that encrypt codes and refresh tokens; the first encrypts.</summary>
    public List<string> EncryptionKeys { get; set; } = [];

    /// <summary>Encrypt access tokens (JWE) too; off, so third-party APIs can validate them through JWKS.</summary>
    public bool EncryptAccessTokens { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    public SeedAdminSettings? SeedAdmin { get; set; }

    /// <summary><c>Identity:Invitations:*</c>: how long an invitation's link works.</summary>
    public InvitationSettings Invitations { get; set; } = new();

    /// <summary>What holding <paramref name="roles"/> permits: the one place roles become permissions.</summary>
    public IEnumerable<string> PermissionsOf(IEnumerable<string> roles) =>
        roles.SelectMany(role => RolePermissions.TryGetValue(role, out var granted) ? granted : []).Distinct();

    public List<ClientSettings> Clients { get; set; } = [];

    /// <summary>
    /// Permissions each role grants; platform roles and tenant roles alike. A role configured here replaces
    /// its default grant (<see cref="DefaultRolePermissions"/>) rather than adding to it, so an operator can
    /// take a permission away; roles not configured keep their defaults.
    /// </summary>
    public Dictionary<string, List<string>> RolePermissions { get; set; } = [];

    /// <summary>What each role grants when configuration does not say: what every module contributed for it.</summary>
    public static Dictionary<string, List<string>> DefaultRolePermissions(IEnumerable<DefaultGrants> grants)
    {
        var all = grants.ToList();
        List<string> tenantAdmins = [.. all.SelectMany(g => g.TenantAdmins ?? []).Distinct()];
        return new()
        {
            [IdentityRoles.PlatformAdmin] = [PlatformPermissions.Admin, .. all.SelectMany(g => g.Operators).Distinct()],
            // An owner is an admin who also makes and unmakes owners (ADR 0014).
            [IdentityRoles.Owner] = [.. tenantAdmins, IdentityPermissions.OwnersManage],
            [IdentityRoles.TenantAdmin] = tenantAdmins,
            [IdentityRoles.Member] = [.. all.SelectMany(g => g.Members ?? []).Distinct()],
        };
    }
}

internal sealed class InvitationSettings
{
    /// <summary>From the invitation (or its last resend) until its link stops working.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);
}

internal sealed class SeedAdminSettings
{
    public string Email { get; set; } = "";

    public string Password { get; set; } = "";
}

/// <summary>
/// A client declared in configuration and seeded (created or updated) at start-up: the API's shape plus a
/// secret, which configuration (from the environment or a secret store) may hold and the API never takes.
/// </summary>
internal sealed record ClientSettings : ClientDefinition
{
    public string? ClientSecret { get; init; }
}

/// <summary><c>Identity:Impersonation</c>: operators acting as a tenant's member, for support.</summary>
public sealed class ImpersonationSettings
{
    public const string Section = IdentitySettings.Section + ":Impersonation";

    /// <summary>How long an impersonation session lasts; using it does not extend it.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(30);
}
