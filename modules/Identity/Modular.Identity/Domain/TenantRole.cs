using Modular.Kernel.Tenancy;

namespace Modular.Identity.Domain;

/// <summary>
/// A role one tenant made for itself from the permissions the modules let tenants hand out. Memberships hold it by
/// name, like the built-in roles, so its name never changes; its permissions may.
/// </summary>
public sealed class TenantRole : ITenantOwned
{
    public const int NameMaxLength = 50;
    public const int DescriptionMaxLength = 200;
    public const int MaxPermissions = 100;

    /// <summary>How many roles one membership may hold.</summary>
    public const int MaxRolesPerMember = 20;

    /// <summary>Lower-case letters, digits and hyphens, starting with a letter: safe in a path and in a token's claims.</summary>
    public const string NamePattern = "^[a-z][a-z0-9-]*$";

    private TenantRole()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Name { get; private set; } = "";

    public string? Description { get; private set; }

    public List<string> Permissions { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static TenantRole Create(Guid tenantId, string name, string? description, IEnumerable<string> permissions, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        Name = name,
        Description = description,
        Permissions = [.. permissions.Distinct().Order(StringComparer.Ordinal)],
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Changes the description and permissions; returns whether a permission was taken away.</summary>
    public bool Change(string? description, IEnumerable<string> permissions, DateTimeOffset now)
    {
        var next = permissions.Distinct().Order(StringComparer.Ordinal).ToList();
        var takenAway = Permissions.Except(next).Any();
        Description = description;
        Permissions = next;
        UpdatedAt = now;
        return takenAway;
    }
}
