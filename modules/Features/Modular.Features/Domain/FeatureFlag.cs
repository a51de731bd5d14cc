using Modular.Kernel.Tenancy;

namespace Modular.Features.Domain;

/// <summary>
/// A flag definition: platform-wide, not tenant-owned. Filters, variants and allocation are kept as
/// the JSON of their contracts: they are read whole, validated whole, and never queried into.
/// </summary>
[PlatformWide("The operator defines flags for every tenant.")]
public sealed class FeatureFlag
{
    public const int KeyMaxLength = 100;
    public const int DescriptionMaxLength = 500;
    public const int OwnerMaxLength = 100;
    public const int ReasonMaxLength = 500;

    private FeatureFlag()
    {
    }

    public Guid Id { get; private set; }

    public string Key { get; private set; } = "";

    public string Description { get; private set; } = "";

    public string Type { get; private set; } = "";

    public string Owner { get; private set; } = "";

    /// <summary>The kill switch.</summary>
    public bool Enabled { get; private set; }

    public string RequirementType { get; private set; } = "";

    public string FiltersJson { get; private set; } = "[]";

    public string VariantsJson { get; private set; } = "[]";

    public string? AllocationJson { get; private set; }

    public DateTimeOffset? StaleAfter { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Bumped by every change; the concurrency token that makes one of two racing edits lose.</summary>
    public int Version { get; private set; }

    public List<TenantOverride> Overrides { get; private set; } = [];

    public static FeatureFlag Create(string key, FlagDefinition definition, DateTimeOffset now)
    {
        var flag = new FeatureFlag { Id = Guid.CreateVersion7(now), Key = key, CreatedAt = now };
        flag.Apply(definition, now);
        flag.Version = 1;
        return flag;
    }

    public void Apply(FlagDefinition definition, DateTimeOffset now)
    {
        Description = definition.Description;
        Type = definition.Type;
        Owner = definition.Owner;
        Enabled = definition.Enabled;
        RequirementType = definition.RequirementType;
        FiltersJson = definition.FiltersJson;
        VariantsJson = definition.VariantsJson;
        AllocationJson = definition.AllocationJson;
        StaleAfter = definition.StaleAfter;
        Touch(now);
    }

    public void SetEnabled(bool enabled, DateTimeOffset now)
    {
        Enabled = enabled;
        Touch(now);
    }

    public TenantOverride SetOverride(Guid tenantId, bool enabled, string? variant, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        var existing = Overrides.FirstOrDefault(o => o.TenantId == tenantId);
        if (existing is null)
        {
            existing = new TenantOverride(Id, tenantId);
            Overrides.Add(existing);
        }

        existing.Set(enabled, variant, expiresAt);
        Touch(now);
        return existing;
    }

    public TenantOverride? RemoveOverride(Guid tenantId, DateTimeOffset now)
    {
        var existing = Overrides.FirstOrDefault(o => o.TenantId == tenantId);
        if (existing is not null)
        {
            Overrides.Remove(existing);
            Touch(now);
        }

        return existing;
    }

    public FlagDefinition Definition() =>
        new(Description, Type, Owner, Enabled, RequirementType, FiltersJson, VariantsJson, AllocationJson, StaleAfter);

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>Everything about a flag but its key, in stored form.</summary>
public sealed record FlagDefinition(
    string Description,
    string Type,
    string Owner,
    bool Enabled,
    string RequirementType,
    string FiltersJson,
    string VariantsJson,
    string? AllocationJson,
    DateTimeOffset? StaleAfter);

/// <summary>One tenant's fixed answer for one flag; evaluated after the kill switch, before the filters.</summary>
[PlatformWide("The operator's setting of a platform flag for one tenant, read across tenants by the flag catalog; deleted with the tenant.")]
public sealed class TenantOverride
{
    internal TenantOverride(Guid flagId, Guid tenantId)
    {
        FlagId = flagId;
        TenantId = tenantId;
    }

    public Guid FlagId { get; private set; }

    public Guid TenantId { get; private set; }

    public bool Enabled { get; private set; }

    public string? Variant { get; private set; }

    public DateTimeOffset? ExpiresAt { get; private set; }

    internal void Set(bool enabled, string? variant, DateTimeOffset? expiresAt)
    {
        Enabled = enabled;
        Variant = variant;
        ExpiresAt = expiresAt;
    }
}

/// <summary>An append-only history entry: who changed what, from which value to which, and why.</summary>
[PlatformWide("The operator's history of platform flags; lines about one tenant are deleted with the tenant.")]
public sealed class FlagChange
{
    private FlagChange()
    {
    }

    public Guid Id { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public string Actor { get; private set; } = "";

    public string Action { get; private set; } = "";

    public string Key { get; private set; } = "";

    public Guid? TenantId { get; private set; }

    public string? OldValue { get; private set; }

    public string? NewValue { get; private set; }

    public string? Reason { get; private set; }

    public static FlagChange Record(string actor, string action, string key, Guid? tenantId, string? oldValue, string? newValue, string? reason, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            OccurredAt = now,
            Actor = actor,
            Action = action,
            Key = key,
            TenantId = tenantId,
            OldValue = oldValue,
            NewValue = newValue,
            Reason = reason,
        };
}
