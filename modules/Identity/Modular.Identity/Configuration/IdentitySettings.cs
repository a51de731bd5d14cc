using Modular.Identity.Contracts;
using Modular.Kernel.Security;
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

    /// <summary>Permissions each role grants; platform roles and tenant roles alike.</summary>
    public Dictionary<string, List<string>> RolePermissions { get; set; } = new()
    {
        [IdentityRoles.PlatformAdmin] =
        [
            PlatformPermissions.Admin, TenantsPermissions.Read, TenantsPermissions.Manage,
            IdentityPermissions.UsersRead, IdentityPermissions.UsersManage, IdentityPermissions.ClientsManage,
            WebhooksPermissions.Read, WebhooksPermissions.Manage,
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

/// <summary>An OAuth client declared in configuration and seeded (created or updated) at start-up.</summary>
internal sealed class ClientSettings
{
    public string ClientId { get; set; } = "";

    public string? ClientSecret { get; set; }

    public string? DisplayName { get; set; }

    /// <summary><c>confidential</c> (has a secret) or <c>public</c> (PKCE only).</summary>
    public string Type { get; set; } = "confidential";

    public List<string> RedirectUris { get; set; } = [];

    public List<string> PostLogoutRedirectUris { get; set; } = [];

    /// <summary>authorization_code, refresh_token, client_credentials, device_code.</summary>
    public List<string> GrantTypes { get; set; } = [];

    public List<string> Scopes { get; set; } = [];

    /// <summary>For client-credentials tokens: the tenant (slug or id) the client acts for.</summary>
    public string? Tenant { get; set; }

    /// <summary>For client-credentials tokens: the permissions the client holds.</summary>
    public List<string> Permissions { get; set; } = [];

    /// <summary>First-party clients skip the consent screen.</summary>
    public bool FirstParty { get; set; }
}
