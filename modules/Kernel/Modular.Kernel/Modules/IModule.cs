using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Modular.Kernel.Modules;

/// <summary>
/// The one public entry point of a module. The host lists its modules in one place and calls these
/// in order; a module that is removed from that list leaves a host that still builds and runs.
/// </summary>
public interface IModule
{
    /// <summary>Short name, e.g. "Tenants": the configuration section <c>Modules:{Name}</c>.</summary>
    string Name { get; }

    /// <summary>Registers the module's services, its <c>DbContext</c> (and so its migrations and outbox).</summary>
    void AddServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>
    /// Maps the module's API endpoints under <c>/api/v1/</c>, at the paths of its contracts' routes class (the one
    /// place tests and console links take them from); <paramref name="api"/> carries the filters every API endpoint has.
    /// </summary>
    void MapEndpoints(IEndpointRouteBuilder api);

    /// <summary>
    /// Maps endpoints whose paths a protocol fixes outside <c>/api/v1</c> (OpenID Connect's
    /// <c>/connect/*</c>, sign-in pages). Most modules have none.
    /// </summary>
    void MapRootEndpoints(IEndpointRouteBuilder root)
    {
    }

    /// <summary>Links the module contributes to the admin console's navigation.</summary>
    IReadOnlyList<AdminLink> AdminLinks => [];

    /// <summary>
    /// Links the module contributes to one tenant's page in the console (its own pages about that tenant):
    /// <c>{tenantId}</c> in <see cref="AdminLink.Href"/> stands for the tenant's id. The tenants module shows
    /// them without knowing the modules.
    /// </summary>
    IReadOnlyList<AdminLink> TenantAdminLinks => [];

    /// <summary>
    /// Links the module contributes to the organization area (<c>/org</c>): the console a tenant's own people open for
    /// their tenant. Each is shown to those who hold its permission in that tenant.
    /// </summary>
    IReadOnlyList<OrganizationLink> OrganizationLinks => [];

    /// <summary>
    /// Cards the module adds to the console's dashboard: Razor components without parameters, each saying in figures
    /// what an operator checks every morning about the module, and linking to its pages. The dashboard shows them
    /// without knowing the modules.
    /// </summary>
    IReadOnlyList<Type> DashboardCards => [];
}

/// <summary>A navigation entry in the admin console; its pages live in the module's own assembly.</summary>
/// <param name="Title">Text of the link.</param>
/// <param name="Href">Absolute path under <c>/admin</c>.</param>
/// <param name="Icon">A MudBlazor icon SVG path, or null.</param>
public sealed record AdminLink(string Title, string Href, string? Icon = null)
{
    /// <summary>The link for one tenant (<see cref="IModule.TenantAdminLinks"/>).</summary>
    public string HrefFor(Guid tenantId) => Href.Replace("{tenantId}", tenantId.ToString(), StringComparison.Ordinal);
}

/// <summary>A navigation entry in the organization area; its page lives in the module's own assembly.</summary>
/// <param name="Title">Text of the link.</param>
/// <param name="Href">Absolute path under <c>/org</c>.</param>
/// <param name="Permission">What the signed-in member must hold in the tenant to see the link and use its page.</param>
/// <param name="Icon">A MudBlazor icon SVG path, or null.</param>
public sealed record OrganizationLink(string Title, string Href, string Permission, string? Icon = null);
