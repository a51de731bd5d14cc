using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Admin.Components;
using Modular.Admin.Organization;
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
        // A page that fails in either area offers the console's own sign-out (its cookie, not the account pages').
        services.Configure<Modular.Kernel.Errors.ErrorPageOptions>(pages =>
        {
            pages.SignOutActions["/admin"] = AdminSignIn.SignOutPath;
            pages.SignOutActions[OrganizationArea.Path] = AdminSignIn.SignOutPath;
        });
        services.AddAuthorization(AddConsolePolicies);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        // Messages appear bottom left, over the drawer's empty end rather than the app bar's actions, two at most.
        services.AddMudServices(mud =>
        {
            mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
            mud.SnackbarConfiguration.MaxDisplayedSnackbars = 2;
            mud.SnackbarConfiguration.PreventDuplicates = true;
        });

        // A circuit lives as long as the browser tab: pages send through a scope per operation, never the circuit's.
        services.AddScoped<ScopedSender>();
        services.AddScoped<Modular.Kernel.Components.ViewerTime>(); // per circuit: one browser, one time zone
        return services;
    }

    /// <summary>
    /// Mounts the console (Blazor Server): the operators' pages at <c>/admin</c>, and the organization area at
    /// <c>/org</c> where a tenant's own people manage their tenant. Both need the console's own sign-in
    /// (<see cref="AdminSignIn"/>); <c>/admin</c> also the platform-admin permission. The area a page belongs to is
    /// decided here by its path, so a page cannot forget it; each area's layout checks it again for navigation
    /// inside a circuit, which no HTTP request authorizes.
    /// </summary>
    public static IEndpointRouteBuilder MapAdminConsole(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapAdminSignIn();
        app.MapImpersonation();
        var moduleAssemblies = app.Services.GetRequiredService<ModuleCatalog>().Assemblies
            .Where(a => a != typeof(App).Assembly)
            .ToArray();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .AddAdditionalAssemblies(moduleAssemblies)
            .Finally(endpoint => endpoint.Metadata.Add(new AuthorizeAttribute(PolicyFor(endpoint))));
        return app;
    }

    /// <summary>The console's own cookie, never a bearer token or the provider's login cookie.</summary>
    internal static void AddConsolePolicies(AuthorizationOptions options)
    {
        options.AddPolicy(ConsolePolicies.Operator, policy => policy
            .AddAuthenticationSchemes(AdminSignIn.Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim(ModularClaims.Permission, PlatformPermissions.Admin));
        options.AddPolicy(ConsolePolicies.SignedIn, policy => policy
            .AddAuthenticationSchemes(AdminSignIn.Scheme)
            .RequireAuthenticatedUser());
    }

    /// <summary>
    /// <c>/org</c> pages, and the framework's own endpoints that serve both areas (the circuit's hub under
    /// <c>/_blazor</c>, <c>/_framework/…</c>), need a signed-in user (the organization layout then needs a membership);
    /// every other page is an operator's.
    /// </summary>
    private static string PolicyFor(EndpointBuilder endpoint)
    {
        var path = "/" + ((endpoint as RouteEndpointBuilder)?.RoutePattern.RawText ?? "").TrimStart('/');
        return OrganizationArea.Contains(path) || path.StartsWith("/_", StringComparison.Ordinal) ? ConsolePolicies.SignedIn : ConsolePolicies.Operator;
    }
}

/// <summary>The console's authorization policies (<see cref="AdminConsole.MapAdminConsole"/> says which page needs which).</summary>
public static class ConsolePolicies
{
    public const string Operator = "console.operator";
    public const string SignedIn = "console.signed-in";
}
