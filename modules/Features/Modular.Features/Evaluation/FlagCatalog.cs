using System.ComponentModel;
using Microsoft.FeatureManagement;
using Modular.Features.Contracts;
using Modular.Features.Domain;

namespace Modular.Features.Evaluation;

/// <summary>
/// Every database flag, ready to evaluate: built once per load and shared by every request until a
/// change drops it. Immutable, so the cache hands out this instance instead of copies.
/// </summary>
[ImmutableObject(true)]
internal sealed class FlagCatalog
{
    private readonly Dictionary<string, CatalogFlag> _flags;

    private FlagCatalog(Dictionary<string, CatalogFlag> flags) => _flags = flags;

    public static FlagCatalog Empty { get; } = new(new Dictionary<string, CatalogFlag>(StringComparer.OrdinalIgnoreCase));

    public IEnumerable<CatalogFlag> Flags => _flags.Values;

    public CatalogFlag? Find(string key) => _flags.GetValueOrDefault(key);

    /// <param name="binders">Each filter's own parameter binder, by filter name: parameters are bound once
    /// here, not at every evaluation.</param>
    internal static FlagCatalog Build(IEnumerable<FeatureFlag> flags, IReadOnlyDictionary<string, IFilterParametersBinder>? binders = null) =>
        new(flags.ToDictionary(f => f.Key, f => CatalogFlag.From(f, binders ?? new Dictionary<string, IFilterParametersBinder>()), StringComparer.OrdinalIgnoreCase));
}

/// <summary>One flag of the catalog: its library definition, kill switch and tenant overrides.</summary>
internal sealed class CatalogFlag
{
    private static readonly FeatureFilterConfiguration AlwaysOn = new() { Name = "AlwaysOn" };

    private CatalogFlag(string key, bool enabled, FeatureDefinition definition, IReadOnlyDictionary<Guid, CatalogOverride> overrides)
    {
        Key = key;
        Enabled = enabled;
        Definition = definition;
        Overrides = overrides;
    }

    public string Key { get; }

    public bool Enabled { get; }

    public FeatureDefinition Definition { get; }

    public IReadOnlyDictionary<Guid, CatalogOverride> Overrides { get; }

    /// <summary>The tenant's override, unless it has expired.</summary>
    public CatalogOverride? OverrideFor(Guid? tenantId, DateTimeOffset now) =>
        tenantId is { } id && Overrides.TryGetValue(id, out var found) && (found.ExpiresAt is null || found.ExpiresAt > now) ? found : null;

    /// <summary>The named variant as the library would hand it out, or null.</summary>
    public Variant? Variant(string? name)
    {
        var definition = name is null ? null : Definition.Variants?.FirstOrDefault(v => v.Name == name);
        return definition is null ? null : new Variant { Name = definition.Name, Configuration = definition.ConfigurationValue };
    }

    internal static CatalogFlag From(FeatureFlag flag, IReadOnlyDictionary<string, IFilterParametersBinder> binders)
    {
        var filters = FlagJson.Filters(flag.FiltersJson);
        var allocation = FlagJson.Allocation(flag.AllocationJson);
        var definition = new FeatureDefinition
        {
            Name = flag.Key,
            Status = flag.Enabled ? FeatureStatus.Conditional : FeatureStatus.Disabled,
            RequirementType = Enum.Parse<RequirementType>(flag.RequirementType, ignoreCase: true),

            // No filter means on for everyone, as in the configuration schema.
            EnabledFor = filters.Count == 0
                ? [AlwaysOn]
                : [.. filters.Select(f => Filter(f, binders))],
            Variants = [.. FlagJson.Variants(flag.VariantsJson).Select(v => new VariantDefinition { Name = v.Name, ConfigurationValue = FlagJson.ToSection(v.Configuration) })],
            Allocation = allocation is null ? null : new Allocation
            {
                DefaultWhenEnabled = allocation.DefaultWhenEnabled,
                DefaultWhenDisabled = allocation.DefaultWhenDisabled,
                Percentile = [.. (allocation.Percentile ?? []).Select(p => new PercentileAllocation { Variant = p.Variant, From = p.From, To = p.To })],
                Group = [.. (allocation.Group ?? []).Select(g => new GroupAllocation { Variant = g.Variant, Groups = g.Groups })],
                Seed = allocation.Seed,
            },
        };
        var overrides = flag.Overrides.ToDictionary(o => o.TenantId, o => new CatalogOverride(o.Enabled, o.Variant, o.ExpiresAt));
        return new CatalogFlag(flag.Key, flag.Enabled, definition, overrides);
    }

    /// <summary>
    /// A filter with its parameters already bound (<see cref="FeatureFilterConfiguration.ParametersObject"/>):
    /// the library would otherwise bind the configuration again at every evaluation, as it caches
    /// bindings only for configuration sections.
    /// </summary>
    private static FeatureFilterConfiguration Filter(FilterDto filter, IReadOnlyDictionary<string, IFilterParametersBinder> binders)
    {
        var parameters = FlagJson.ToConfiguration(filter.Parameters);
        return new FeatureFilterConfiguration
        {
            Name = filter.Name,
            Parameters = parameters,
            ParametersObject = binders.TryGetValue(filter.Name, out var binder) ? binder.BindParameters(parameters) : null,
        };
    }
}

internal sealed record CatalogOverride(bool Enabled, string? Variant, DateTimeOffset? ExpiresAt);

/// <summary>The catalog's home: HybridCache, filled from the database on a miss.</summary>
internal sealed class FlagCatalogCache
{
    private const string Key = "features:catalog";

    /// <summary>What a change to flags invalidates on every instance (<see cref="FlagChangeFeed"/>).</summary>
    public const string Tag = "features-catalog";

    private static readonly string[] Tags = [Tag];

    // A backstop only: every change made through this module drops the catalog on every instance.
    // The catalog holds bound filter parameters, which do not serialise: it never leaves the instance.
    private static readonly Microsoft.Extensions.Caching.Hybrid.HybridCacheEntryOptions Entry = new()
    {
        Expiration = TimeSpan.FromMinutes(10),
        LocalCacheExpiration = TimeSpan.FromMinutes(10),
        Flags = Microsoft.Extensions.Caching.Hybrid.HybridCacheEntryFlags.DisableDistributedCache,
    };

    private readonly Microsoft.Extensions.Caching.Hybrid.HybridCache _cache;
    private readonly Func<CancellationToken, ValueTask<FlagCatalog>> _load;

    internal FlagCatalogCache(Microsoft.Extensions.Caching.Hybrid.HybridCache cache, Func<CancellationToken, ValueTask<FlagCatalog>> load)
    {
        _cache = cache;
        _load = load;
    }

    public ValueTask<FlagCatalog> GetAsync(CancellationToken cancellationToken) =>
        _cache.GetOrCreateAsync(Key, _load, static (load, ct) => load(ct), Entry, Tags, cancellationToken);
}
