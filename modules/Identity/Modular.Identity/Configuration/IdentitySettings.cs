using Modular.Features.Contracts;
using Modular.Identity.Contracts;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

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

    /// <summary>What each role grants when configuration does not say.</summary>
    public static Dictionary<string, List<string>> DefaultRolePermissions() => new()
    {
        [IdentityRoles.PlatformAdmin] =
        [
            PlatformPermissions.Admin, TenantsPermissions.Read, TenantsPermissions.Manage,
            IdentityPermissions.UsersRead, IdentityPermissions.UsersManage, IdentityPermissions.ClientsManage,
            FeaturesPermissions.Read, FeaturesPermissions.Manage,
            WebhooksPermissions.Read, WebhooksPermissions.Manage,
            MeteringPermissions.Read, MeteringPermissions.Manage, MeteringPermissions.Ingest,
        ],

        // Webhook permissions act inside the caller's tenant only (the tenant filter and RLS see to it).
        [IdentityRoles.TenantAdmin] = [WebhooksPermissions.Read, WebhooksPermissions.Manage],
        [IdentityRoles.Member] = [],
    };
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
