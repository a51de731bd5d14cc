using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Metering.Features.Meters;
using Modular.Metering.Features.QueryMeter;
using Modular.Metering.Features.RecordUsage;
using Modular.Metering.Features.UsageEvents;
using Modular.Metering.Persistence;

namespace Modular.Metering;

/// <summary>Metering: usage events in, per-minute rollups per meter, usage queries out.</summary>
public sealed class MeteringModule : IModule
{
    public string Name => "Metering";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<MeteringDbContext>(MeteringDbContext.SchemaName);
        services.AddValidatorsFromAssemblyContaining<MeteringModule>(includeInternalTypes: true);
        services.Configure<MeteringOptions>(configuration.GetSection(MeteringOptions.Section));
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // Usage is per tenant: the tenant comes from the caller's token, never from the request body.
        var metering = api.MapGroup("/metering").WithTags("Metering");
        metering.MapRecordUsage();
        metering.MapUsageEvents();

        // Meters are platform-wide definitions; queries read the caller's tenant's usage of one.
        var meters = metering.MapGroup("/meters");
        meters.MapMeters();
        meters.MapQueryMeter();
    }
}
