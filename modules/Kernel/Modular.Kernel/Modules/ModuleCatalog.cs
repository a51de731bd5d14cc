using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Modular.Kernel.Modules;

/// <summary>
/// The modules this host runs: those the host lists, less those switched off with
/// <c>Modules:{Name}:Enabled = false</c>. Registered as a singleton so the admin console can show them.
/// </summary>
public sealed class ModuleCatalog
{
    private ModuleCatalog(IReadOnlyList<IModule> enabled, IReadOnlyList<string> disabled)
    {
        Enabled = enabled;
        Disabled = disabled;
    }

    public IReadOnlyList<IModule> Enabled { get; }

    public IReadOnlyList<string> Disabled { get; }

    /// <summary>Assemblies of enabled modules, where the admin console finds their pages.</summary>
    public IReadOnlyList<Assembly> Assemblies => [.. Enabled.Select(m => m.GetType().Assembly).Distinct()];

    public static ModuleCatalog From(IEnumerable<IModule> listed, IConfiguration configuration)
    {
        var modules = listed.ToList();
        var duplicate = modules.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Module '{duplicate.Key}' is listed twice.");
        }

        bool IsEnabled(IModule m) => configuration.GetValue($"Modules:{m.Name}:Enabled", defaultValue: true);
        return new ModuleCatalog(
            [.. modules.Where(IsEnabled)],
            [.. modules.Where(m => !IsEnabled(m)).Select(m => m.Name)]);
    }
}

public static class ModuleHostingExtensions
{
    /// <summary>Adds every enabled module's services, and the catalog itself for those who show it.</summary>
    public static ModuleCatalog AddModules(this IHostApplicationBuilder builder, params IModule[] listed)
    {
        var catalog = ModuleCatalog.From(listed, builder.Configuration);
        builder.Services.AddSingleton(catalog);
        foreach (var module in catalog.Enabled)
        {
            module.AddServices(builder.Services, builder.Configuration);
        }

        return catalog;
    }

    /// <summary>Maps every enabled module's endpoints under <c>/api/v1</c>, and its protocol endpoints at the root.</summary>
    public static RouteGroupBuilder MapModules(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        foreach (var module in app.ServiceProvider.GetRequiredService<ModuleCatalog>().Enabled)
        {
            module.MapEndpoints(api);
            module.MapRootEndpoints(app);
        }

        return api;
    }
}
