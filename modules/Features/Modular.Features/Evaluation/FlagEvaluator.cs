using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Modular.Features.Evaluation;

/// <summary>
/// What <see cref="IFeatureManager"/> and <see cref="IVariantFeatureManager"/> resolve to: the
/// library's evaluation with this platform's order in front of it — kill switch, then the tenant's
/// override, then the filters (targeting, rollouts), then the default. The request snapshot
/// (<see cref="IFeatureManagerSnapshot"/>) wraps this, so one request sees one answer per flag.
/// Nothing here throws for an unknown flag: it is off.
/// </summary>
internal sealed class FlagEvaluator(FeatureManager library, FlagCatalogCache catalogs, ITargetingContextAccessor targeting, TimeProvider clock)
    : IFeatureManager, IVariantFeatureManager
{
    public IAsyncEnumerable<string> GetFeatureNamesAsync() => library.GetFeatureNamesAsync();

    public IAsyncEnumerable<string> GetFeatureNamesAsync(CancellationToken cancellationToken) => library.GetFeatureNamesAsync(cancellationToken);

    public Task<bool> IsEnabledAsync(string feature) => IsEnabledAsync(feature, CancellationToken.None).AsTask();

    public Task<bool> IsEnabledAsync<TContext>(string feature, TContext context) => IsEnabledAsync(feature, context, CancellationToken.None).AsTask();

    public async ValueTask<bool> IsEnabledAsync(string feature, CancellationToken cancellationToken) =>
        await DecideAsync(feature, null, cancellationToken) ?? await library.IsEnabledAsync(feature, cancellationToken);

    public async ValueTask<bool> IsEnabledAsync<TContext>(string feature, TContext context, CancellationToken cancellationToken) =>
        await DecideAsync(feature, context as ITargetingContext, cancellationToken) ?? await library.IsEnabledAsync(feature, context, cancellationToken);

    public async ValueTask<Variant> GetVariantAsync(string feature, CancellationToken cancellationToken)
    {
        var (flag, tenantOverride) = await OverrideAsync(feature, null, cancellationToken);
        return tenantOverride is null ? await library.GetVariantAsync(feature, cancellationToken) : OverriddenVariant(flag!, tenantOverride)!;
    }

    public async ValueTask<Variant> GetVariantAsync(string feature, ITargetingContext context, CancellationToken cancellationToken)
    {
        var (flag, tenantOverride) = await OverrideAsync(feature, context, cancellationToken);
        return tenantOverride is null ? await library.GetVariantAsync(feature, context, cancellationToken) : OverriddenVariant(flag!, tenantOverride)!;
    }

    /// <summary>The answer fixed before the filters run (kill switch, tenant override), or null to let them decide.</summary>
    private async ValueTask<bool?> DecideAsync(string feature, ITargetingContext? context, CancellationToken cancellationToken)
    {
        var catalog = await catalogs.GetAsync(cancellationToken);
        if (catalog.Find(feature) is not { } flag)
        {
            return null; // a configuration flag, or an unknown one (which the library answers with false)
        }

        if (!flag.Enabled)
        {
            return false;
        }

        if (flag.Overrides.Count == 0)
        {
            return null;
        }

        context ??= await targeting.GetContextAsync();
        return flag.OverrideFor(TenantTargetingContext.TenantOf(context), clock.GetUtcNow())?.Enabled;
    }

    private async ValueTask<(CatalogFlag? Flag, CatalogOverride? Override)> OverrideAsync(string feature, ITargetingContext? context, CancellationToken cancellationToken)
    {
        var flag = (await catalogs.GetAsync(cancellationToken)).Find(feature);
        if (flag is null || !flag.Enabled || flag.Overrides.Count == 0)
        {
            return (flag, null); // the library applies the kill switch to variants itself (DefaultWhenDisabled)
        }

        context ??= await targeting.GetContextAsync();
        return (flag, flag.OverrideFor(TenantTargetingContext.TenantOf(context), clock.GetUtcNow()));
    }

    private static Variant? OverriddenVariant(CatalogFlag flag, CatalogOverride tenantOverride) =>
        flag.Variant(tenantOverride.Variant
            ?? (tenantOverride.Enabled ? flag.Definition.Allocation?.DefaultWhenEnabled : flag.Definition.Allocation?.DefaultWhenDisabled));
}
