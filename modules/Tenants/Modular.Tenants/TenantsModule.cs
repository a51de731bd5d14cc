using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Cluster;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Configuration;
using Modular.Tenants.Contracts;
using Modular.Tenants.Directory;
using Modular.Tenants.Persistence;
using Modular.Tenants.UseCases.ActivateTenant;
using Modular.Tenants.UseCases.CheckTenantSlug;
using Modular.Tenants.UseCases.CreateTenant;
using Modular.Tenants.UseCases.GetAuditEntry;
using Modular.Tenants.UseCases.GetCurrentTenant;
using Modular.Tenants.UseCases.GetOrganizationAuditLog;
using Modular.Tenants.UseCases.GetTenant;
using Modular.Tenants.UseCases.GetTenantAuditTrail;
using Modular.Tenants.UseCases.ListTenants;
using Modular.Tenants.UseCases.PurgeTenant;
using Modular.Tenants.UseCases.ReactivateTenant;
using Modular.Tenants.UseCases.ScheduleTenantDeletion;
using Modular.Tenants.UseCases.SuspendTenant;
using Modular.Tenants.UseCases.UpdateTenant;
using Modular.Tenants.UseCases.UpdateTenantSettings;

namespace Modular.Tenants;

/// <summary>Tenants: the organisations the platform serves, their lifecycle, and who may see whose data.</summary>
public sealed class TenantsModule : IModule
{
    public string Name => "Tenants";

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
        [new("Tenants", TenantsRoutes.ConsoleTenants, MudBlazor.Icons.Material.Filled.Apartment)];

    public IReadOnlyList<Type> DashboardCards { get; } = [typeof(Admin.TenantsDashboardCard)];

    public IReadOnlyList<OrganizationLink> OrganizationLinks { get; } =
    [
        new("Settings", TenantsRoutes.OrganizationSettings, TenantsPermissions.SettingsManage, MudBlazor.Icons.Material.Filled.Settings),
        new("Audit trail", TenantsRoutes.OrganizationAudit, TenantsPermissions.AuditRead, MudBlazor.Icons.Material.Filled.History),
    ];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<TenantsDbContext>(TenantsDbContext.SchemaName);
        services.InvalidateCacheOnCommit<TenantsDbContext>(TenantDirectory.StaleTags);
        // A tenant's admins run their own tenant's settings and read its trail; the filter and RLS keep them to it.
        services.AddDefaultGrants(new DefaultGrants(
            Operators: [TenantsPermissions.Read, TenantsPermissions.Manage, TenantsPermissions.SettingsManage, TenantsPermissions.AuditRead],
            TenantAdmins: [TenantsPermissions.SettingsManage, TenantsPermissions.AuditRead]));
        services.AddValidatorsFromAssemblyContaining<TenantsModule>(includeInternalTypes: true);
        services.AddScoped<IConsoleSearch, Admin.TenantsConsoleSearch>();
        services.AddSingleton<ITenantDirectory, TenantDirectory>();
        services.Configure<TenantsOptions>(configuration.GetSection(TenantsOptions.Section));
        services.AddSingleton<PurgeWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<PurgeWorker>());
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // Platform operators: every tenant, guarded by the tenants.* permissions.
        var tenants = api.MapGroup(TenantsRoutes.Tenants).WithTags("Tenants").AcrossAllTenants();
        tenants.MapListTenants();
        tenants.MapGetTenant();
        tenants.MapCreateTenant();
        tenants.MapUpdateTenant();
        tenants.MapSuspendTenant();
        tenants.MapReactivateTenant();
        tenants.MapActivateTenant();
        tenants.MapScheduleTenantDeletion();
        tenants.MapGetTenantAuditTrail();

        // A tenant's members: their own tenant only, as resolved from their token.
        var tenant = api.MapGroup(TenantsRoutes.CurrentTenant).WithTags("Current tenant");
        tenant.MapGetCurrentTenant();
        tenant.MapUpdateTenantSettings();
        tenant.MapGetCurrentTenantAuditTrail();
        tenant.MapGetAuditEntry();
        tenant.MapGetOrganizationAuditLog();

        // Anyone: whether a slug is free, for sign-up forms.
        api.MapCheckTenantSlug();
    }
}
