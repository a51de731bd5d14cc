using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Admin.Components;
using Modular.Admin.SignIn;
using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;
using Modular.Kernel.Security;
using MudBlazor.Services;

namespace Modular.Admin;

public static class AdminConsole
{
    public static IServiceCollection AddAdminConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAdminSignIn(configuration);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();

        // A circuit lives as long as the browser tab: pages send through a scope per operation, never the circuit's.
        services.AddScoped<ScopedSender>();
        return services;
    }

    /// <summary>
    /// Mounts the console at <c>/admin</c> (Blazor Server). Every page, and the circuit hub, needs the
    /// console's own sign-in (<see cref="AdminSignIn"/>) with the platform-admin permission.
    /// </summary>
    public static IEndpointRouteBuilder MapAdminConsole(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapAdminSignIn();
        var moduleAssemblies = app.Services.GetRequiredService<ModuleCatalog>().Assemblies
            .Where(a => a != typeof(App).Assembly)
            .ToArray();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .AddAdditionalAssemblies(moduleAssemblies)
            .RequireAuthorization(policy => policy
                .AddAuthenticationSchemes(AdminSignIn.Scheme) // the console's own cookie, never a bearer token or the provider's login cookie
                .RequireAuthenticatedUser()
                .RequireClaim(ModularClaims.Permission, PlatformPermissions.Admin));
        return app;
    }
}
