using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Kernel.Usage;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;
using Modular.Metering.Retention;
using Modular.Metering.UseCases.CheckEntitlement;
using Modular.Metering.UseCases.CloseBillingPeriod;
using Modular.Metering.UseCases.CreateMeter;
using Modular.Metering.UseCases.CreatePlan;
using Modular.Metering.UseCases.DeleteMeter;
using Modular.Metering.UseCases.DeletePlan;
using Modular.Metering.UseCases.GetBillingProfile;
using Modular.Metering.UseCases.GetInvoicePreview;
using Modular.Metering.UseCases.GetMeter;
using Modular.Metering.UseCases.GetPlan;
using Modular.Metering.UseCases.GetStatement;
using Modular.Metering.UseCases.GetUsageEvent;
using Modular.Metering.UseCases.ListMeters;
using Modular.Metering.UseCases.ListPlans;
using Modular.Metering.UseCases.ListPlatformUsageEvents;
using Modular.Metering.UseCases.ListStatements;
using Modular.Metering.UseCases.ListUsageEvents;
using Modular.Metering.UseCases.QueryMeter;
using Modular.Metering.UseCases.RecordUsage;
using Modular.Metering.UseCases.SetBillingProfile;
using Modular.Metering.UseCases.UpdateMeter;
using Modular.Metering.UseCases.UpdatePlan;

namespace Modular.Metering;

/// <summary>Metering: usage events in, per-minute rollups per meter, usage queries out.</summary>
public sealed class MeteringModule : IModule
{
    public string Name => "Metering";

    public IReadOnlyList<Type> DashboardCards { get; } = [typeof(Admin.UsageDashboardCard)];

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
    [
        new("Meters", MeteringRoutes.ConsoleMeters, MudBlazor.Icons.Material.Filled.Speed),
        new("Plans", MeteringRoutes.ConsolePlans, MudBlazor.Icons.Material.Filled.PriceChange),
        new("Usage events", MeteringRoutes.ConsoleEvents, MudBlazor.Icons.Material.Filled.BugReport),
    ];

    public IReadOnlyList<AdminLink> TenantAdminLinks { get; } =
    [
        new("Usage", MeteringRoutes.ConsoleTenants + "/{tenantId}", MudBlazor.Icons.Material.Filled.BarChart),
        new("Usage events", MeteringRoutes.ConsoleTenants + "/{tenantId}/events", MudBlazor.Icons.Material.Filled.BugReport),
    ];

    /// <summary>The tenant's own usage and statements (under the usage link); its billing profile changes with manage.</summary>
    public IReadOnlyList<OrganizationLink> OrganizationLinks { get; } =
        [new("Usage & billing", MeteringRoutes.OrganizationUsage, MeteringPermissions.Read, MudBlazor.Icons.Material.Filled.BarChart)];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<MeteringDbContext>(MeteringDbContext.SchemaName);
        services.AddDefaultGrants(new DefaultGrants(
            Operators: [MeteringPermissions.Read, MeteringPermissions.Manage, MeteringPermissions.BillingManage, MeteringPermissions.Ingest],
            TenantAdmins: [MeteringPermissions.Read, MeteringPermissions.BillingManage])); // their own usage and bills, never the platform's meters or plans
        services.AddValidatorsFromAssemblyContaining<MeteringModule>(includeInternalTypes: true);
        services.AddScoped<IConsoleSearch, Admin.MeteringConsoleSearch>();
        services.AddHostedService<UsageEventRetention>();
        services.AddOptions<MeteringOptions>()
            .Bind(configuration.GetSection(MeteringOptions.Section))
            .Validate(HasValidPlans, "Metering:Plans has an unknown currency, or a charge whose model, tiers or package size is malformed.")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.BillingTimeZone, out _), "Metering:BillingTimeZone is not a known time zone.")
            .Validate(o => o.EventRetention > o.MaxLag && o.EventRetention >= UsageEventRetention.Minimum,
                "Metering:EventRetention must be longer than Metering:MaxLag and at least 32 days, or resent events would count twice.")
            .ValidateOnStart();
        services.AddHostedService<PlanSeeder>();
        services.AddMemoryCache();
        services.AddSingleton<EntitlementCache>();
        services.AddScoped<PeriodUsage>();
        services.AddScoped<IApiCallMeter, ApiCallMeter>();
        services.AddSingleton<PeriodCloser>();
        services.AddHostedService(sp => sp.GetRequiredService<PeriodCloser>());
    }

    /// <summary>A malformed price list stops the host at start-up rather than failing an invoice later.</summary>
    private static bool HasValidPlans(MeteringOptions options)
    {
        try
        {
            foreach (var (key, seed) in options.Plans)
            {
                var plan = seed.ToCreatePlan(key);
                foreach (var charge in plan.Charges ?? [])
                {
                    PriceCalculator.Price(Plan.ToCharge(charge, plan.Currency), 0);
                }
            }

            return options.Plans.Values.All(p => CurrencyCodes.IsKnown(p.Currency));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // Usage is per tenant: the tenant comes from the caller's token, never from the request body.
        var metering = api.MapGroup(MeteringRoutes.Metering).WithTags("Metering");
        metering.MapRecordUsage();
        metering.MapListUsageEvents();
        metering.MapGetUsageEvent();
        metering.MapGetInvoicePreview();
        metering.MapGetBillingProfile();
        metering.MapSetBillingProfile();
        metering.MapCheckEntitlement();

        var plans = api.MapGroup(MeteringRoutes.Plans).WithTags("Metering");
        plans.MapListPlans();
        plans.MapGetPlan();
        plans.MapCreatePlan();
        plans.MapUpdatePlan();
        plans.MapDeletePlan();

        var statements = api.MapGroup(MeteringRoutes.Statements).WithTags("Metering");
        statements.MapListStatements();
        statements.MapGetStatement();
        statements.MapExportStatement();
        statements.MapCloseBillingPeriod();

        // Switched on by configuration for the whole API group (every module's endpoints), see ADR 0011.
        if (api is RouteGroupBuilder everyModulesApi
            && api.ServiceProvider.GetRequiredService<IOptions<MeteringOptions>>().Value.ApiCallMeter is { Length: > 0 } apiCallMeter)
        {
            everyModulesApi.MeterApiCalls(apiCallMeter);
        }

        // Meters are platform-wide definitions; queries read the caller's tenant's usage of one.
        var meters = api.MapGroup(MeteringRoutes.Meters).WithTags("Metering");
        meters.MapListMeters();
        meters.MapGetMeter();
        meters.MapCreateMeter();
        meters.MapUpdateMeter();
        meters.MapDeleteMeter();
        meters.MapQueryMeter();

        // Platform operators: the event debugger across tenants.
        var platform = api.MapGroup(MeteringRoutes.Platform).WithTags("Metering").AcrossAllTenants();
        platform.MapListPlatformUsageEvents();
    }
}
