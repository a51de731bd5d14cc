namespace Modular.Tenants.Domain;

public enum TenantStatus
{
    Active,
    Suspended,
    PendingDeletion,
    Deleted,
}

/// <summary>A customer organisation of the platform. Every tenant-owned row elsewhere points at its id.</summary>
public sealed class Tenant
{
    public const int SlugMaxLength = 63; // a DNS label, so the slug can be a subdomain
    public const int NameMaxLength = 200;
    public const string DefaultPlan = "free";

    private Tenant()
    {
    }

    public Guid Id { get; private set; }

    public string Slug { get; private set; } = "";

    public string Name { get; private set; } = "";

    public string Plan { get; private set; } = DefaultPlan;

    public TenantStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static Tenant Create(string slug, string name, string? plan, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Slug = slug,
        Name = name.Trim(),
        Plan = string.IsNullOrWhiteSpace(plan) ? DefaultPlan : plan,
        Status = TenantStatus.Active,
        CreatedAt = now,
    };
}
