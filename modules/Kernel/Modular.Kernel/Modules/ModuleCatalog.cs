using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Modular.Kernel.Errors;
using Modular.Kernel.Messaging;

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

    /// <summary>
    /// Maps every enabled module's API endpoints (each module maps them under <c>/api/v1</c>, at the paths its
    /// contracts' routes class names) behind the API's filters, and its protocol endpoints at the root.
    /// </summary>
    public static RouteGroupBuilder MapModules(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(string.Empty);
        api.AddEndpointFilter(RefuseNulInQuery);
        foreach (var module in app.ServiceProvider.GetRequiredService<ModuleCatalog>().Enabled)
        {
            module.MapEndpoints(api);
            module.MapRootEndpoints(app);
        }

        return api;
    }

    /// <summary>
    /// A query value holding U+0000 is refused naming the parameter as the caller sent it: PostgreSQL cannot take
    /// it as a query parameter. (Bodies and route values are checked in the message, by its field names: MessageShape.)
    /// </summary>
    private static ValueTask<object?> RefuseNulInQuery(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var refused = request.QueryString.HasValue
            ? request.Query.Where(p => p.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)).Select(p => p.Key).ToList()
            : [];
        return refused.Count == 0
            ? next(context)
            : throw new RequestValidationException(refused.ToDictionary(name => name, _ => new[] { MessageShape.NulCharacter }));
    }
}
