using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Domain;
using Modular.Metering.Features.InvoicePreview;
using Modular.Metering.Features.Meters;
using Modular.Metering.Features.PlatformUsageEvents;
using Modular.Metering.Features.QueryMeter;
using Modular.Metering.Features.RecordUsage;
using Modular.Metering.Features.Retention;
using Modular.Metering.Features.UsageEvents;
using Modular.Metering.Persistence;

namespace Modular.Metering;

/// <summary>Metering: usage events in, per-minute rollups per meter, usage queries out.</summary>
public sealed class MeteringModule : IModule
{
    public string Name => "Metering";

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
    [
        new("Meters", "/admin/metering/meters", MudBlazor.Icons.Material.Filled.Speed),
        new("Usage events", "/admin/metering/events", MudBlazor.Icons.Material.Filled.BugReport),
    ];

    public IReadOnlyList<AdminLink> TenantAdminLinks { get; } =
    [
        new("Usage", "/admin/metering/tenants/{tenantId}", MudBlazor.Icons.Material.Filled.BarChart),
        new("Usage events", "/admin/metering/tenants/{tenantId}/events", MudBlazor.Icons.Material.Filled.BugReport),
    ];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<MeteringDbContext>(MeteringDbContext.SchemaName);
        services.AddValidatorsFromAssemblyContaining<MeteringModule>(includeInternalTypes: true);
        services.AddHostedService<UsageEventRetention>();
        services.AddOptions<MeteringOptions>()
            .Bind(configuration.GetSection(MeteringOptions.Section))
            .Validate(HasValidPlans, "Metering:Plans has a charge whose model, tiers or package size is malformed.")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.BillingTimeZone, out _), "Metering:BillingTimeZone is not a known time zone.")
            .Validate(o => o.EventRetention > o.MaxLag && o.EventRetention >= UsageEventRetention.Minimum,
                "Metering:EventRetention must be longer than Metering:MaxLag and at least 32 days, or resent events would count twice.")
            .ValidateOnStart();
    }

    /// <summary>A malformed price list stops the host at start-up rather than failing an invoice later.</summary>
    private static bool HasValidPlans(MeteringOptions options)
    {
        try
        {
            foreach (var plan in options.Plans.Values)
            {
                foreach (var charge in plan.Charges)
                {
                    PriceCalculator.Price(charge.ToCharge(plan.Currency), 0);
                }
            }

            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // Usage is per tenant: the tenant comes from the caller's token, never from the request body.
        var metering = api.MapGroup("/metering").WithTags("Metering");
        metering.MapRecordUsage();
        metering.MapUsageEvents();
        metering.MapGetInvoicePreview();

        // Meters are platform-wide definitions; queries read the caller's tenant's usage of one.
        var meters = metering.MapGroup("/meters");
        meters.MapMeters();
        meters.MapQueryMeter();

        // Platform operators: the event debugger across tenants.
        var platform = metering.MapGroup("/platform").AcrossAllTenants();
        platform.MapListPlatformUsageEvents();
    }
}
