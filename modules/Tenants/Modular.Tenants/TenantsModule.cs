using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Tenants.Features.CreateTenant;
using Modular.Tenants.Features.GetTenant;
using Modular.Tenants.Features.ListTenants;
using Modular.Tenants.Persistence;

namespace Modular.Tenants;

/// <summary>Tenants: the organisations the platform serves, and their lifecycle.</summary>
public sealed class TenantsModule : IModule
{
    public string Name => "Tenants";

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
        [new("Tenants", "/admin/tenants", MudBlazor.Icons.Material.Filled.Apartment)];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<TenantsDbContext>(TenantsDbContext.SchemaName);
        services.AddValidatorsFromAssemblyContaining<TenantsModule>(includeInternalTypes: true);
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        var tenants = api.MapGroup("/tenants").WithTags("Tenants");
        tenants.MapCreateTenant();
        tenants.MapGetTenant();
        tenants.MapListTenants();
    }
}
