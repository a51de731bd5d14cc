using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// What the platform knows of one tenant's API key beyond its OpenIddict client (which holds the secret, the tenant
/// binding, permissions and roles): its name, who made it and when, and when a token was last issued for it. The row
/// is tenant-owned, so a key is found through the tenant API only in its own tenant.
/// </summary>
public sealed class TenantApiKey : ITenantOwned
{
    public const int NameMaxLength = 100;
    public const int CreatedByMaxLength = 300;

    /// <summary>A key's client id: a prefix that says what it is, and 128 random bits.</summary>
    public const string ClientIdPrefix = "key_";

    private TenantApiKey()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string ClientId { get; private set; } = "";

    public string Name { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public string CreatedBy { get; private set; } = "";

    public DateTimeOffset? LastUsedAt { get; private set; }

    public static TenantApiKey Create(Guid tenantId, string clientId, string name, string createdBy, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        ClientId = clientId,
        Name = name,
        CreatedAt = now,
        CreatedBy = createdBy.Length > CreatedByMaxLength ? createdBy[..CreatedByMaxLength] : createdBy,
    };

    public void Rename(string name) => Name = name;
}
