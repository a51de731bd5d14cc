using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Evaluation;

namespace Modular.Features.UseCases;

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
}
