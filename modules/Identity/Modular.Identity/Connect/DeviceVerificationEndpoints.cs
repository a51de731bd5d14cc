using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Account;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Connect;

/// <summary>
/// The end-user half of the device flow: a signed-in user enters the code a device shows and
/// approves (or denies) it; the device's polling then receives tokens for that user.
/// </summary>
internal static class DeviceVerificationEndpoints
{
    public const string InvalidCode = "That code is unknown or has expired. Check the device and try again.";

    /// <summary>Outside the /connect group: this form posts, so it keeps antiforgery.</summary>
    public static void MapDeviceVerificationEndpoints(this IEndpointRouteBuilder root)
    {
        // Counted once already, by OpenIddict (Limits.ProviderRequestLimit).
        root.MapGet("/" + ConnectEndpoints.Verify, ShowAsync).AllowAnonymous().ExcludeFromDescription().DisableRateLimiting();
        root.MapPost("/" + ConnectEndpoints.Verify, DecideAsync).AllowAnonymous().ExcludeFromDescription().DisableRateLimiting();
    }

    private static async Task<IResult> ShowAsync(HttpContext http, IOpenIddictApplicationManager applications)
    {
        if (!(await http.AuthenticateAsync(IdentityConstants.ApplicationScheme)).Succeeded)
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + http.Request.QueryString }, [IdentityConstants.ApplicationScheme]);
        }

        var request = http.GetOpenIddictServerRequest();
        var code = await UserCodeAsync(http);
        if (code is null)
        {
            return Page(request?.UserCode, null, [], string.IsNullOrEmpty(request?.UserCode) ? null : InvalidCode);
        }

        var clientId = code.GetClaim(Claims.ClientId);
        var application = clientId is null ? null : await applications.FindByClientIdAsync(clientId, http.RequestAborted);
        var name = application is null ? clientId : await applications.GetDisplayNameAsync(application, http.RequestAborted);
        return Page(request?.UserCode, name, [.. code.GetScopes()], null);
    }

    private static async Task<IResult> DecideAsync(
        [FromForm(Name = "decision")] string? decision, HttpContext http, UserManager<User> users, IdentityDbContext db, TokenClaims claims, TenantScope scope,
        [FromServices] ITenantDirectory? tenants, IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations, TimeProvider clock)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal!) : null;
        if (user is null)
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = "/" + ConnectEndpoints.Verify }, [IdentityConstants.ApplicationScheme]);
        }

        var code = await UserCodeAsync(http);
        if (code is null)
        {
            return Page(http.GetOpenIddictServerRequest()?.UserCode, null, [], InvalidCode);
        }

        if (decision != "approve")
        {
            return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The user denied the device.",
            })
            { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        scope.EnterAllTenants();
        var tenant = await ConnectEndpoints.ChooseTenantAsync(http.GetOpenIddictServerRequest()!, user, db, tenants, http.RequestAborted);
        var tenantId = tenant.Refused ? null : tenant.Id;
        var identity = await claims.ForUserAsync(user, tenantId, code.GetScopes(), http.RequestAborted);
        var application = await applications.FindByClientIdAsync(code.GetClaim(Claims.ClientId)!, http.RequestAborted)
            ?? throw new InvalidOperationException("The device's client was validated but is gone.");
        var deviceSession = await authorizations.CreateAsync(
            identity, (await applications.GetIdAsync(application, http.RequestAborted))!, AuthorizationTypes.AdHoc, tenantId, clock.GetUtcNow(), http.RequestAborted);
        identity.SetAuthorizationId(await authorizations.GetIdAsync(deviceSession, http.RequestAborted));
        return Results.SignIn(new ClaimsPrincipal(identity), new AuthenticationProperties { RedirectUri = "/" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The device request behind the user code, or null when the code is missing, unknown or expired.</summary>
    private static async Task<ClaimsPrincipal?> UserCodeAsync(HttpContext http)
    {
        var principal = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        return principal?.GetClaim(Claims.ClientId) is null ? null : principal;
    }

    private static RazorComponentResult<DevicePage> Page(string? userCode, string? clientName, IReadOnlyList<string> scopes, string? error) =>
        new(new { UserCode = userCode, ClientName = clientName, Scopes = scopes, Error = error })
        {
            StatusCode = error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
        };
}
