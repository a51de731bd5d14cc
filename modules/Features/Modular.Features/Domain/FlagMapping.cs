using Modular.Features.Contracts;
using Modular.Features.Evaluation;
using Modular.Features.Persistence;
using Modular.Kernel.Auditing;

namespace Modular.Features.Domain;

internal static class FlagMapping
{
    public static FlagDto ToDto(this FeatureFlag flag) => new(
        flag.Key, flag.Description, flag.Type, flag.Owner, flag.Enabled, flag.RequirementType,
        FlagJson.Filters(flag.FiltersJson), FlagJson.Variants(flag.VariantsJson), FlagJson.Allocation(flag.AllocationJson),
        flag.StaleAfter, [.. flag.Overrides.OrderBy(o => o.TenantId).Select(o => o.ToDto(flag.Key))], flag.UpdatedAt, flag.Version);

    public static TenantOverrideDto ToDto(this TenantOverride tenantOverride, string key) =>
        new(key, tenantOverride.TenantId, tenantOverride.Enabled, tenantOverride.Variant, tenantOverride.ExpiresAt);

    public static FlagChangeDto ToDto(this FlagChange change) => new(
        change.Id, change.OccurredAt, change.Actor, change.Action, change.Key, change.TenantId, change.OldValue, change.NewValue, change.Reason);

    /// <summary>Appends to the history, in the same transaction as the change.</summary>
    public static void Record(this FeaturesDbContext db, ICaller caller, string action, string key, Guid? tenantId, object? oldValue, object? newValue, string? reason, DateTimeOffset now) =>
        db.Changes.Add(FlagChange.Record(
            caller.Actor, action, key, tenantId,
            oldValue is null ? null : FlagJson.Serialize(oldValue),
            newValue is null ? null : FlagJson.Serialize(newValue),
            reason, now));
}
