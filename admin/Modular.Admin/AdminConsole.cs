using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Modular.Admin.Components;
using Modular.Kernel.Modules;
using Modular.Kernel.Security;
using MudBlazor.Services;

namespace Modular.Admin;

public static class AdminConsole
{
    public static IServiceCollection AddAdminConsole(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        return services;
    }

    /// <summary>
    /// Mounts the console at <c>/admin</c> (Blazor Server). Every page, and the circuit hub, needs the
    /// platform-admin permission.
    /// </summary>
    public static IEndpointRouteBuilder MapAdminConsole(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        var moduleAssemblies = app.Services.GetRequiredService<ModuleCatalog>().Assemblies
            .Where(a => a != typeof(App).Assembly)
            .ToArray();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .AddAdditionalAssemblies(moduleAssemblies)
            .RequirePermission(PlatformPermissions.Admin);
        return app;
    }
}
