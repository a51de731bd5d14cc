using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Admin.Organization;
using Modular.Identity.Contracts;
using Modular.Kernel.Security;
using OpenIddict.Client;
using OpenIddict.Client.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Admin.SignIn;

/// <summary>
/// The console signs operators in as any SaaS app would: it is a first-party client of the host's own
/// OpenID provider (authorization code + PKCE), and keeps the result in its own cookie. Only a caller whose
/// identity token carries the platform-admin permission gets that cookie for <c>/admin</c>; anyone signed in gets it
/// for the organization area (<see cref="OrganizationArea"/>), for the tenant the provider put in the token.
/// </summary>
public static class AdminSignIn
{
    /// <summary>The console's own cookie scheme: separate from the provider's login cookie, so signing out of one is not the other.</summary>
    public const string Scheme = "modular.admin";

    public const string ClientId = "modular-admin";
    public const string SignInPath = "/admin/signin";
    public const string SignOutPath = "/admin/signout";
    public const string CallbackPath = "/admin/signin-oidc";
    public const string SignedOutPath = "/admin/signed-out";


    public static IServiceCollection AddAdminSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AdminSignInSettings>(configuration.GetSection(AdminSignInSettings.Section));
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = Scheme;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax; // the provider's redirect back is a top-level GET
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = SignInPath;
            cookie.LogoutPath = SignOutPath;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });

        // The host's OpenID Connect client is the identity module's (federation); the console is one registration of it.
        // The provider's address is known once the host listens (unless configured): see AdminClientRegistration.
        services.AddSingleton<AdminClientRegistration>();
        services.AddSingleton<IConfigureOptions<OpenIddictClientOptions>>(sp => sp.GetRequiredService<AdminClientRegistration>());
        services.AddHostedService(sp => sp.GetRequiredService<AdminClientRegistration>());
        return services;
    }

    public static void MapAdminSignIn(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AllowAnonymous().ExcludeFromDescription();
        admin.MapGet("/signin", (string? returnUrl, Guid? tenant) =>
        {
            var properties = new AuthenticationProperties { RedirectUri = LocalPath(returnUrl) };
            properties.Items[OpenIddictClientAspNetCoreConstants.Properties.RegistrationId] = ClientId;
            if (tenant is { } chosen)
            {
                // Which of the user's tenants the session is for: the provider refuses one the user is not in.
                properties.Parameters[AuthorizeParameters.Tenant] = chosen.ToString();
            }

            return Results.Challenge(properties, [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
        });
        admin.MapMethods("/signin-oidc", [HttpMethods.Get, HttpMethods.Post], (Delegate)CompleteSignInAsync).DisableAntiforgery();
        admin.MapPost("/signout", (Delegate)SignOutAsync);
        admin.MapMethods("/signed-out", [HttpMethods.Get, HttpMethods.Post], async (HttpContext http) =>
        {
            var result = await http.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
            return Results.LocalRedirect(LocalPath(result.Properties?.RedirectUri, "/"));
        }).DisableAntiforgery();
    }

    /// <summary>The provider sent the operator back: OpenIddict has checked state, code, PKCE and the identity token.</summary>
    private static async Task<IResult> CompleteSignInAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { Identity.IsAuthenticated: true } principal)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-in failed",
                detail: "The sign-in could not be completed. Start again from the admin console.");
        }

        var properties = new AuthenticationProperties { RedirectUri = LocalPath(result.Properties?.RedirectUri) };
        if (!OrganizationArea.Contains(properties.RedirectUri!) && !principal.HasPermission(PlatformPermissions.Admin))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Your account may not use the admin console: it needs the platform-admin permission.");
        }

        // Only what the console needs; the identity token is kept to sign out at the provider too.
        var identity = new ClaimsIdentity(Scheme, Claims.Name, Claims.Role);
        foreach (var claim in principal.Claims.Where(c => c.Type is Claims.Subject or Claims.Name or Claims.Email or Claims.Role or ModularClaims.Permission or ModularClaims.Tenant))
        {
            identity.AddClaim(new Claim(claim.Type, claim.Value));
        }

        if (result.Properties?.GetTokenValue(OpenIddictClientAspNetCoreConstants.Tokens.BackchannelIdentityToken) is { } idToken)
        {
            properties.StoreTokens([new AuthenticationToken { Name = OpenIddictClientAspNetCoreConstants.Tokens.BackchannelIdentityToken, Value = idToken }]);
        }

        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity), properties);
        return Results.LocalRedirect(properties.RedirectUri!);
    }

    /// <summary>Ends the console's session, then the provider's (RP-initiated logout with the identity token as hint).</summary>
    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery)
    {
        // The console's own sign-out form, not one on another site: this endpoint binds no form field, so minimal APIs
        // would not act on the antiforgery verdict by themselves.
        await antiforgery.ValidateRequestAsync(http);
        var session = await http.AuthenticateAsync(Scheme);
        await http.SignOutAsync(Scheme);
        // Back to the area signed out of (a form field of the console's own form), which asks for a sign-in again.
        var area = http.Request.Form["area"].ToString() == OrganizationArea.Path ? OrganizationArea.Path : "/admin";
        var properties = new AuthenticationProperties { RedirectUri = area };
        properties.Items[OpenIddictClientAspNetCoreConstants.Properties.RegistrationId] = ClientId;
        if (session.Properties?.GetTokenValue(OpenIddictClientAspNetCoreConstants.Tokens.BackchannelIdentityToken) is { } idToken)
        {
            properties.Items[OpenIddictClientAspNetCoreConstants.Properties.IdentityTokenHint] = idToken;
        }

        return Results.SignOut(properties, [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>
    /// Only a path on this site may be returned to: never another origin (open redirect). The framework's own test,
    /// the one <see cref="Results.LocalRedirect"/> applies, so a path kept through the sign-in never fails the
    /// redirect at its end (a tab or other control character, which browsers drop, turning "/\t/evil" into "//evil").
    /// </summary>
    private static string LocalPath(string? url, string fallback = "/admin") =>
        url is { Length: > 1 } && RedirectHttpResult.IsLocalUrl(url) ? url : fallback;
}

internal sealed class AdminSignInSettings
{
    public const string Section = "AdminConsole";

    /// <summary>
    /// The provider the console signs in at. Default: <c>Identity:Issuer</c>, else this host's first
    /// listening address (development).
    /// </summary>
    public Uri? Authority { get; set; }
}
