using System.Reflection;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.FeatureManagement;
using Modular.Features.Contracts;
using Modular.Features.Evaluation;
using Modular.Features.Persistence;
using Modular.Features.UseCases.CreateFlag;
using Modular.Features.UseCases.DeleteFlag;
using Modular.Features.UseCases.EvaluateFeatures;
using Modular.Features.UseCases.GetFlag;
using Modular.Features.UseCases.GetFlagHistory;
using Modular.Features.UseCases.GetTenantOverrides;
using Modular.Features.UseCases.ListFlags;
using Modular.Features.UseCases.RemoveTenantOverride;
using Modular.Features.UseCases.SetFlagEnabled;
using Modular.Features.UseCases.SetTenantOverride;
using Modular.Features.UseCases.UpdateFlag;
using Modular.Kernel.Cluster;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;

namespace Modular.Features;

/// <summary>
/// Feature flags: definitions in the database (and code-owned defaults in configuration), evaluated
/// by Microsoft.FeatureManagement with tenant targeting, tenant overrides and a kill switch.
/// </summary>
public sealed class FeaturesModule : IModule
{
    public string Name => "Features";

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
        [new("Feature flags", FeaturesRoutes.ConsoleFeatures, MudBlazor.Icons.Material.Filled.Flag)];

    public IReadOnlyList<AdminLink> TenantAdminLinks { get; } =
        [new("Feature flags", FeaturesRoutes.ConsoleTenants + "/{tenantId}", MudBlazor.Icons.Material.Filled.Flag)];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<FeaturesDbContext>(FeaturesDbContext.SchemaName);
        services.AddDefaultGrants(new DefaultGrants(Operators: [FeaturesPermissions.Read, FeaturesPermissions.Manage]));
        services.AddValidatorsFromAssemblyContaining<FeaturesModule>(includeInternalTypes: true);
        services.AddScoped<IConsoleSearch, Admin.FeaturesConsoleSearch>();

        services.AddSingleton(sp => new FlagCatalogCache(sp.GetRequiredService<HybridCache>(), ct => LoadCatalogAsync(sp, ct)));
        services.InvalidateCacheOnCommit<FeaturesDbContext>(FlagChangeFeed.StaleTags);

        services.AddFeatureManagement()
            .WithTargeting<TenantTargetingContextAccessor>()
            .AddFeatureFilter<RolloutFilter>()
            .AddFeatureFilter<ContextualRolloutFilter>();

        // The database (then configuration) defines flags, and the platform's precedence — kill switch,
        // tenant override, filters — sits in front of the library's evaluator for every caller,
        // including the request snapshot and WithFeatureGate.
        services.AddSingleton<IFeatureDefinitionProvider, DatabaseFeatureDefinitionProvider>();
        services.AddSingleton<FlagEvaluator>();
        services.RemoveAll<IFeatureManager>();
        services.RemoveAll<IVariantFeatureManager>();
        services.AddSingleton<IFeatureManager>(sp => sp.GetRequiredService<FlagEvaluator>());
        services.AddSingleton<IVariantFeatureManager>(sp => sp.GetRequiredService<FlagEvaluator>());
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // Platform operators: the definitions, overrides and history, guarded by features.*.
        var flags = api.MapGroup(FeaturesRoutes.Features).WithTags("Feature flags");
        flags.MapEvaluateFeatures();
        flags.MapGetFlagHistory();
        flags.MapGetTenantOverrides();
        flags.MapListFlags();
        flags.MapGetFlag();
        flags.MapCreateFlag();
        flags.MapUpdateFlag();
        flags.MapSetFlagEnabled();
        flags.MapDeleteFlag();
        flags.MapSetTenantOverride();
        flags.MapRemoveTenantOverride();
    }

    /// <summary>The registered filters' parameter binders, by the name flags use for them.</summary>
    private static Dictionary<string, IFilterParametersBinder> FilterBinders(IServiceProvider services)
    {
        var binders = new Dictionary<string, IFilterParametersBinder>(StringComparer.OrdinalIgnoreCase);
        foreach (var filter in services.GetServices<IFeatureFilterMetadata>())
        {
            if (filter is IFilterParametersBinder binder && filter.GetType().GetCustomAttribute<FilterAliasAttribute>() is { } alias)
            {
                binders.TryAdd(alias.Alias, binder);
            }
        }

        return binders;
    }

    private static async ValueTask<FlagCatalog> LoadCatalogAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FeaturesDbContext>();
        return FlagCatalog.Build(await db.Flags.AsNoTracking().Include(f => f.Overrides).ToListAsync(cancellationToken), FilterBinders(services));
    }
}
