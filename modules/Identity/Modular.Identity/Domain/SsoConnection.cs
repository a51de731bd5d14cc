using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// A tenant's own OpenID provider. Its client secret is kept protected by the platform's Data Protection key ring and never
/// shown again; <see cref="Version"/> changes with every edit, so a cached client registration (and the discovery document
/// cached in it) is rebuilt exactly when the connection changed.
/// </summary>
public sealed class SsoConnection : ITenantOwned
{
    public const int NameMaxLength = 100;
    public const int IssuerMaxLength = 500;
    public const int ClientIdMaxLength = 200;
    public const int ClientSecretMaxLength = 500;
    public const int ClaimNameMaxLength = 100;
    public const int ErrorMaxLength = 500;
    public const int MaxScopes = 10;
    public const int MaxGroupRoles = 50;

    private SsoConnection()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Name { get; private set; } = "";

    public string Issuer { get; private set; } = "";

    public string ClientId { get; private set; } = "";

    public string ProtectedClientSecret { get; private set; } = "";

    public List<string> Scopes { get; private set; } = [];

    public string EmailClaim { get; private set; } = "email";

    public string NameClaim { get; private set; } = "name";

    public string GroupsClaim { get; private set; } = "groups";

    public List<SsoGroupRole> GroupRoles { get; private set; } = [];

    public bool EnforceSso { get; private set; }

    public bool Enabled { get; private set; }

    public int Version { get; private set; }

    public DateTimeOffset? LastSignInAt { get; private set; }

    public DateTimeOffset? LastTestedAt { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastErrorAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The OpenIddict client registration's id: stable for the connection's life.</summary>
    public string RegistrationId => RegistrationIdOf(Id);

    public static string RegistrationIdOf(Guid connectionId) => $"sso-{connectionId:N}";

    /// <summary>The login provider name its users' external logins are stored under.</summary>
    public string LoginProvider => LoginProviderOf(Id);

    public static string LoginProviderOf(Guid connectionId) => $"sso:{connectionId:N}";

    public static SsoConnection Create(Guid tenantId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        CreatedAt = now,
    };

    public void Define(
        string name, string issuer, string clientId, string? protectedSecret, IEnumerable<string> scopes,
        (string Email, string Name, string Groups) claims, IEnumerable<SsoGroupRole> groupRoles, bool enforceSso, bool enabled, DateTimeOffset now)
    {
        Name = name;
        Issuer = issuer;
        ClientId = clientId;
        ProtectedClientSecret = protectedSecret ?? ProtectedClientSecret;
        Scopes = [.. scopes];
        (EmailClaim, NameClaim, GroupsClaim) = claims;
        GroupRoles = [.. groupRoles];
        EnforceSso = enforceSso;
        Enabled = enabled;
        Version++;
        UpdatedAt = now;
    }

    public void Tested(string? error, DateTimeOffset now)
    {
        LastTestedAt = now;
        if (error is not null)
        {
            Failed(error, now);
        }
    }

    public void Failed(string error, DateTimeOffset now)
    {
        LastError = error.Length > ErrorMaxLength ? error[..ErrorMaxLength] : error;
        LastErrorAt = now;
    }

    public void SignedIn(DateTimeOffset now) => LastSignInAt = now;
}

/// <summary>Members of <see cref="Group"/> at the provider hold <see cref="Role"/> in the tenant.</summary>
public sealed class SsoGroupRole
{
    public string Group { get; set; } = "";

    public string Role { get; set; } = "";
}
