using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;
using Modular.Identity.Account;
using Modular.Identity.Clients;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Connect;

/// <summary>
/// The OpenID provider's endpoints that need the application's say: who the user is (authorize),
/// what a token carries (token), what userinfo returns, and signing out. OpenIddict validates every
/// request before these run, and serves discovery, JWKS, introspection, revocation and device
/// authorization by itself.
/// </summary>
internal static class ConnectEndpoints
{
    public const string Authorize = "connect/authorize";
    public const string Token = "connect/token";
    public const string UserInfo = "connect/userinfo";
    public const string EndSession = "connect/logout";
    public const string Introspect = "connect/introspect";
    public const string Revoke = "connect/revoke";
    public const string Device = "connect/device";
    public const string Verify = "connect/verify";

    /// <summary>The scope and the resource (audience) of the platform's own API.</summary>
    public const string ApiScope = "api";
    public const string ApiResource = "modular-api";

    /// <summary>The scopes the provider always knows; API resources add their own (<c>ApiResourceScopes</c>).</summary>
    public static readonly string[] BuiltInScopes = [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess, ApiScope];

    /// <summary>The built-in scopes about a signed-in user: a client that only acts as itself (client credentials) has no use for them.</summary>
    public static readonly string[] SignInScopes = [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess];

    /// <summary>The grants in which a user signs in, and so the only ones <see cref="SignInScopes"/> mean something in.</summary>
    public static readonly string[] SignInGrantTypes = [GrantTypes.AuthorizationCode, "device_code"];

    /// <summary>Custom authorize parameter: which of the user's tenants the token is for (id or slug).</summary>
    public const string TenantParameter = Contracts.AuthorizeParameters.Tenant;

    public static void MapConnectEndpoints(this IEndpointRouteBuilder root)
    {
        // Anonymous: OpenIddict authenticates clients itself, and /authorize challenges for the login cookie.
        // Rate limited by OpenIddict before they pass through (Limits.ProviderRequestLimit), so not a second time.
        var connect = root.MapGroup("/connect").AllowAnonymous().ExcludeFromDescription().DisableAntiforgery().DisableRateLimiting();
        connect.MapMethods("/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)AuthorizeAsync);
        connect.MapPost("/token", (Delegate)TokenAsync);
        connect.MapMethods("/userinfo", [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfoAsync);
        connect.MapMethods("/logout", [HttpMethods.Get, HttpMethods.Post], (Delegate)EndSessionAsync);
    }

    /// <summary>The form field the consent page posts back with the user's decision.</summary>
    public const string ConsentField = "consent";

    private static async Task<IResult> AuthorizeAsync(
        HttpContext http, UserManager<User> users, IdentityDbContext db, TokenClaims claims, [FromServices] ITenantDirectory? tenants, TenantScope scope, TimeProvider clock,
        IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations, IAntiforgery antiforgery)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenID request could not be read.");
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var tooOld = request.MaxAge is { } maxAge && session.Properties?.IssuedUtc is { } issued
            && clock.GetUtcNow() - issued > TimeSpan.FromSeconds(maxAge);
        if (!session.Succeeded || request.HasPromptValue(PromptValues.Login) || tooOld)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            }

            // Back here after signing in, without prompt=login so the user is not sent round again.
            var parameters = http.Request.HasFormContentType ? http.Request.Form.ToList() : http.Request.Query.ToList();
            parameters.RemoveAll(p => p.Key == Parameters.Prompt);
            parameters.RemoveAll(p => p.Key == Parameters.MaxAge);
            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + QueryString.Create(parameters) },
                [IdentityConstants.ApplicationScheme]);
        }

        var user = await users.GetUserAsync(session.Principal);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return Refuse(Errors.LoginRequired, "The signed-in account is no longer valid.");
        }

        scope.EnterAllTenants(); // the user's memberships span tenants
        var tenant = await ChooseTenantAsync(request, user, db, tenants, http.RequestAborted);
        if (tenant.Refused)
        {
            return Refuse(Errors.AccessDenied, "The user is not a member of the requested tenant.");
        }

        if (tenant.Id is { } chosen && (string?)request[TenantParameter] is { Length: > 0 } && user.PreferredTenantId != chosen)
        {
            user.PreferredTenantId = chosen; // remembered: the next sign-in that names no tenant lands here
            await users.UpdateAsync(user);
        }

        var identity = await claims.ForUserAsync(user, tenant.Id, request.GetScopes(), http.RequestAborted);

        // Third-party clients need the user's consent, once per set of scopes and tenant; first-party clients do not.
        // Either way the tokens chain to a session that records its tenant (see TenantSessions).
        var application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted)
            ?? throw new InvalidOperationException("The client was validated but is gone.");
        var applicationId = (await applications.GetIdAsync(application, http.RequestAborted))!;
        if (await applications.GetConsentTypeAsync(application, http.RequestAborted) != ConsentTypes.Explicit)
        {
            identity.SetAuthorizationId(await authorizations.GetIdAsync(
                await authorizations.CreateAsync(identity, applicationId, AuthorizationTypes.AdHoc, tenant.Id, clock.GetUtcNow(), http.RequestAborted), http.RequestAborted));
        }
        else
        {
            object? granted = null;
            await foreach (var permanent in authorizations.FindAsync(user.Id.ToString(), applicationId, Statuses.Valid, AuthorizationTypes.Permanent, request.GetScopes(), http.RequestAborted))
            {
                if (await authorizations.IsInTenantAsync(permanent, tenant.Id, http.RequestAborted))
                {
                    granted = permanent;
                    break;
                }
            }

            var decision = http.Request.HasFormContentType ? (string?)http.Request.Form[ConsentField] : null;
            if (decision is not null)
            {
                await antiforgery.ValidateRequestAsync(http); // the consent form, not a forged post
            }

            if (decision == "deny")
            {
                return Refuse(Errors.AccessDenied, "The user did not allow the client.");
            }

            if (granted is null && decision != "accept")
            {
                if (request.HasPromptValue(PromptValues.None))
                {
                    return Refuse(Errors.ConsentRequired, "The user has not allowed this client yet.");
                }

                var parameters = (http.Request.HasFormContentType ? http.Request.Form.AsEnumerable() : http.Request.Query.AsEnumerable())
                    .Where(p => p.Key != ConsentField && p.Key != "__RequestVerificationToken")
                    .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? "")))
                    .ToList();
                return new RazorComponentResult<ConsentPage>(new
                {
                    ClientName = await applications.GetDisplayNameAsync(application, http.RequestAborted) ?? request.ClientId!,
                    Scopes = (IReadOnlyList<string>)[.. request.GetScopes()],
                    Parameters = (IReadOnlyList<KeyValuePair<string, string>>)parameters,
                });
            }

            granted ??= await authorizations.CreateAsync(identity, applicationId, AuthorizationTypes.Permanent, tenant.Id, clock.GetUtcNow(), http.RequestAborted);
            identity.SetAuthorizationId(await authorizations.GetIdAsync(granted, http.RequestAborted));
        }

        if (session.Properties?.IssuedUtc is { } signedInAt)
        {
            identity.AddClaim(new Claim(Claims.AuthenticationTime, signedInAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        }
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(
        HttpContext http, UserManager<User> users, IdentityDbContext db, IOpenIddictApplicationManager applications, TokenClaims claims, TenantScope scope,
        ApiKeyUsage usage)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("The OpenID request could not be read.");
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted)
                ?? throw new InvalidOperationException("The client was validated but is gone.");
            var properties = await applications.GetPropertiesAsync(application, http.RequestAborted);
            var tenant = properties.TryGetValue(ClientRegistration.TenantProperty, out var binding) ? binding.GetString() : null;
            var boundToTenant = Guid.TryParse(tenant, out var boundTo);
            if (boundToTenant)
            {
                // A key's roles are read in its own tenant's scope, and nowhere else.
                scope.Enter(new TenantInfo(boundTo, Slug: "", Plan: "", IsSuspended: false));
            }

            var identity = await claims.ForClientAsync(
                request.ClientId!,
                await applications.GetDisplayNameAsync(application, http.RequestAborted),
                tenant,
                ClientRegistration.PermissionsOf(properties),
                ClientRegistration.RolesOf(properties),
                request.GetScopes(),
                http.RequestAborted);
            if (boundToTenant)
            {
                await usage.RecordAsync(request.ClientId!, boundTo, http.RequestAborted);
            }

            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType() || request.IsDeviceCodeGrantType())
        {
            // The code or refresh token's own principal: re-read the user, so a locked or deleted account
            // gets no new tokens and changed roles take effect at the next refresh.
            var granted = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var user = granted?.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
            if (granted is null || user is null || await users.IsLockedOutAsync(user))
            {
                return Refuse(Errors.InvalidGrant, "The account is no longer allowed to sign in.");
            }

            scope.EnterAllTenants();
            var tenant = Guid.TryParse(granted.GetClaim(Kernel.Security.ModularClaims.Tenant), out var id) ? id : (Guid?)null;
            if (tenant is not null && !await db.Memberships.AnyAsync(m => m.UserId == user.Id && m.TenantId == tenant, http.RequestAborted))
            {
                return Refuse(Errors.InvalidGrant, "The account is no longer a member of the token's tenant.");
            }

            var identity = await claims.ForUserAsync(user, tenant, granted.GetScopes(), http.RequestAborted);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> UserInfoAsync(HttpContext http)
    {
        var principal = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        if (principal is null)
        {
            return Refuse(Errors.InvalidToken, "The access token is not valid.");
        }

        var info = new Dictionary<string, object?> { [Claims.Subject] = principal.GetClaim(Claims.Subject) };
        if (principal.HasScope(Scopes.Profile))
        {
            info[Claims.Name] = principal.GetClaim(Claims.Name);
            info["display_name"] = principal.GetClaim("display_name");
        }

        if (principal.HasScope(Scopes.Email))
        {
            info[Claims.Email] = principal.GetClaim(Claims.Email);
        }

        if (principal.GetClaim(Kernel.Security.ModularClaims.Tenant) is { } tenant)
        {
            info[Kernel.Security.ModularClaims.Tenant] = tenant;
        }

        return Results.Ok(info);
    }

    /// <summary>The field the sign-out confirmation page posts back (with its antiforgery token).</summary>
    public const string ConfirmSignOutField = "confirm_sign_out";

    /// <summary>
    /// Signs out at once only when OpenIddict validated an <c>id_token_hint</c> naming the signed-in user: a client that
    /// holds the user's identity token. Anyone else (a link or a form on another site, someone else's token) gets a
    /// page asking the user, whose answer is an antiforgery-checked post.
    /// </summary>
    private static async Task<IResult> EndSessionAsync(HttpContext http, UserManager<User> users, IAntiforgery antiforgery)
    {
        var confirmed = http.Request.HasFormContentType && http.Request.Form[ConfirmSignOutField] == "yes";
        if (confirmed)
        {
            await antiforgery.ValidateRequestAsync(http); // the confirmation page, not a forged post
        }

        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var hint = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        if (session.Principal is { } signedIn && !confirmed && hint?.GetClaim(Claims.Subject) != users.GetUserId(signedIn))
        {
            var parameters = (http.Request.HasFormContentType ? http.Request.Form.AsEnumerable() : http.Request.Query.AsEnumerable())
                .Where(p => p.Key is not (ConfirmSignOutField or "__RequestVerificationToken"))
                .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? "")))
                .ToList();
            return new RazorComponentResult<SignOutPage>(new { Parameters = (IReadOnlyList<KeyValuePair<string, string>>)parameters });
        }

        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        // OpenIddict redirects to the request's post_logout_redirect_uri only if it is registered for the client.
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>
    /// The tenant a user's token is for: the one the request asks for (if the user belongs to it), else the
    /// user's only tenant, else the one they chose last (if they still belong to it), else none. Refused when the
    /// asked-for tenant is not one of the user's.
    /// </summary>
    internal static async Task<(Guid? Id, bool Refused)> ChooseTenantAsync(
        OpenIddictRequest request, User user, IdentityDbContext db, ITenantDirectory? tenants, CancellationToken cancellationToken)
    {
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == user.Id).Select(m => m.TenantId).ToListAsync(cancellationToken);
        if ((string?)request[TenantParameter] is { Length: > 0 } asked)
        {
            var tenant = tenants is null ? null : await tenants.FindAsync(asked, cancellationToken); // no tenants module, no tenants
            return tenant is not null && memberships.Contains(tenant.Id) ? (tenant.Id, false) : (null, true);
        }

        return memberships.Count == 1 ? (memberships[0], false)
            : user.PreferredTenantId is { } preferred && memberships.Contains(preferred) ? (preferred, false)
            : (null, false);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
