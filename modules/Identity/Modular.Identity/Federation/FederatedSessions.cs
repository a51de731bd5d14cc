using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Modular.Identity.Federation;

/// <summary>
/// A login cookie made through a tenant's connection lasts only as long as the connection: once it is deleted or disabled,
/// the next request through the cookie finds it gone (cached for up to 30 s on other instances) and is signed out, without
/// waiting for the security stamp's half-hour check.
/// </summary>
internal static class FederatedSessions
{
    public static void EndWithTheirConnection(CookieAuthenticationOptions options)
    {
        var stampCheck = options.Events.OnValidatePrincipal;
        options.Events.OnValidatePrincipal = async context =>
        {
            await stampCheck(context);
            if (context.Principal?.FindFirst(SsoDirectory.ProviderClaim)?.Value is { } provider
                && !await context.HttpContext.RequestServices.GetRequiredService<SsoDirectory>().IsActiveAsync(provider, context.HttpContext.RequestAborted))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            }
        };
    }

    /// <summary>The security stamp check rebuilds the principal from the user; the connection it came through is carried over.</summary>
    public static Task KeepProviderClaim(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.CurrentPrincipal?.FindFirst(SsoDirectory.ProviderClaim) is { } provider && context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity)
        {
            identity.AddClaim(new System.Security.Claims.Claim(provider.Type, provider.Value));
        }

        return Task.CompletedTask;
    }
}
