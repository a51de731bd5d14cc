using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Account;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;
using OpenIddict.Client;
using OpenIddict.Client.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Federation;

/// <summary>
/// Home-realm discovery and the way back from a provider. The sign-in page asks for the email address first: one in a
/// domain a tenant has verified for its connection goes to that tenant's provider; any other gets the password step,
/// whether or not it has an account here, so the first step tells nobody which addresses exist.
/// </summary>
internal static class ExternalSignInEndpoints
{
    public static void MapExternalSignIn(this IEndpointRouteBuilder account, IEndpointRouteBuilder root)
    {
        account.MapPost("/login/identify", IdentifyAsync);
        account.MapPost("/login/external", ChallengeSocial).RequireAntiforgery();
        root.MapMethods(FederationClient.CallbackPath, [HttpMethods.Get, HttpMethods.Post], CompleteAsync)
            .AllowAnonymous().ExcludeFromDescription()
            .DisableAntiforgery(); // a provider's form post back carries no token of ours: the state token stands in for one
    }

    private static async Task<IResult> IdentifyAsync(
        [FromForm] string? username, [FromForm] string? returnUrl, SsoDirectory directory, OpenIddictClientService client,
        IServiceScopeFactory scopes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var target = AccountEndpoints.SafeReturnUrl(returnUrl);
        if (string.IsNullOrWhiteSpace(username) || username.Length > AccountPages.MaxEmailLength)
        {
            return LoginPage(target, null, "Enter your email address or user name.", StatusCodes.Status400BadRequest);
        }

        if (await directory.FindAsync(username.Trim(), cancellationToken) is not { } route)
        {
            return LoginPage(target, username.Trim(), null);
        }

        var registrationId = SsoConnection.RegistrationIdOf(route.ConnectionId);
        try
        {
            // Fetched (or taken from the cache) before the redirect: a provider that is down gets a sentence here, not an error page.
            await client.GetServerConfigurationByRegistrationIdAsync(registrationId, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or OpenIddict.Abstractions.OpenIddictExceptions.ProtocolException)
        {
            await RecordFailureAsync(scopes, route.ConnectionId, FederatedClientService.Describe(e), clock, cancellationToken);
            return LoginPage(target, null, $"{route.Name}'s sign-in service cannot be reached right now. Try again later, or ask your administrator.",
                StatusCodes.Status503ServiceUnavailable);
        }

        var properties = new AuthenticationProperties { RedirectUri = target };
        properties.Items[OpenIddictClientAspNetCoreConstants.Properties.RegistrationId] = registrationId;
        properties.Items[OpenIddictClientAspNetCoreConstants.Properties.LoginHint] = username.Trim();
        return Results.Challenge(properties, [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>To GitHub, Google or Microsoft, from the sign-in page; or, with <see cref="LinkItem"/>, from the account page to connect one.</summary>
    private static IResult ChallengeSocial([FromForm] string? provider, [FromForm] string? returnUrl, SocialProviders social) =>
        social.Find(provider) is { } found
            ? Challenge(found, AccountEndpoints.SafeReturnUrl(returnUrl), linkTo: null)
            : LoginPage(AccountEndpoints.SafeReturnUrl(returnUrl), null, "Choose one of the sign-in services offered.", StatusCodes.Status400BadRequest);

    /// <summary>The item of a challenge that names the signed-in user a provider's login is to be connected to.</summary>
    public const string LinkItem = "link_user";

    public static IResult Challenge(SocialProvider provider, string returnUrl, Guid? linkTo)
    {
        var properties = new AuthenticationProperties { RedirectUri = returnUrl };
        properties.Items[OpenIddictClientAspNetCoreConstants.Properties.RegistrationId] = provider.RegistrationId;
        if (linkTo is { } userId)
        {
            properties.Items[LinkItem] = userId.ToString();
        }

        return Results.Challenge(properties, [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static async Task<IResult> CompleteAsync(HttpContext http, IServiceScopeFactory scopes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await http.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        var target = AccountEndpoints.SafeReturnUrl(result.Properties?.RedirectUri);
        if (result.Principal is not { Identity.IsAuthenticated: true } principal)
        {
            var error = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.Error);
            var description = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.ErrorDescription);
            var registration = RegistrationOf(http);
            if (FederatedClientService.ConnectionIdOf(registration) is { } failed)
            {
                await RecordFailureAsync(scopes, failed, $"{error}: {description}", clock, cancellationToken);
            }

            var where = SocialProviders.OfRegistration(registration) is { } social ? social.Name : "your organisation's provider";
            return LoginPage(target, null, error == Errors.AccessDenied
                ? $"Sign-in was cancelled at {where}."
                : $"Sign-in at {where} did not succeed. Try again, or sign in another way.", StatusCodes.Status400BadRequest);
        }

        var registrationId = principal.FindFirst(Claims.Private.RegistrationId)?.Value;
        if (SocialProviders.OfRegistration(registrationId) is { } provider)
        {
            return await CompleteSocialAsync(http, provider, principal, result.Properties, target, cancellationToken);
        }

        if (FederatedClientService.ConnectionIdOf(registrationId) is not { } connectionId)
        {
            return LoginPage(target, null, "That sign-in did not come from a provider this site uses.", StatusCodes.Status400BadRequest);
        }

        var signIn = http.RequestServices.GetRequiredService<SsoSignIn>();

        var refusal = await signIn.CompleteAsync(connectionId, principal, cancellationToken);
        return refusal is null ? Results.LocalRedirect(target) : LoginPage(target, null, refusal, StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> CompleteSocialAsync(
        HttpContext http, SocialProvider provider, ClaimsPrincipal principal, AuthenticationProperties? properties, string target, CancellationToken cancellationToken)
    {
        var signIn = http.RequestServices.GetRequiredService<SocialSignIn>();
        if (properties?.Items.TryGetValue(LinkItem, out var linkTo) == true)
        {
            // Connecting from the account page: only to the account that asked, still signed in on this browser.
            var users = http.RequestServices.GetRequiredService<UserManager<User>>();
            var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
            if (session.Principal is null || await users.GetUserAsync(session.Principal) is not { } user || user.Id.ToString() != linkTo)
            {
                return LoginPage(IdentityRoutes.ExternalLogins, null, $"Sign in again to connect {provider.Name} to your account.", StatusCodes.Status403Forbidden);
            }

            return await signIn.LinkAsync(user, provider, principal, cancellationToken) is { } notLinked
                ? await ExternalLoginsEndpoints.PageAsync(http.RequestServices, user, null, errors: [notLinked], status: StatusCodes.Status400BadRequest)
                : Results.LocalRedirect(IdentityRoutes.ExternalLogins + "?done=connected");
        }

        var origin = AccountPages.Origin(http, http.RequestServices.GetRequiredService<IOptions<IdentitySettings>>().Value);
        var outcome = await signIn.SignInAsync(provider, principal, origin, cancellationToken);
        if (outcome.MailedTo is { } address)
        {
            return AccountPages.Message("Check your email",
                $"An account with {address} exists here. We have sent it a link: open it to connect {provider.Name} to that account, then continue with {provider.Name} again.",
                IdentityRoutes.Login, "Back to sign in");
        }

        if (outcome.RequiresTwoFactor)
        {
            // Identity has set its short-lived two-factor cookie naming the user; the second step reads it.
            return Results.LocalRedirect(QueryHelpers.AddQueryString(IdentityRoutes.LoginTwoFactor, "returnUrl", target));
        }

        return outcome.Refusal is null ? Results.LocalRedirect(target) : LoginPage(target, null, outcome.Refusal, StatusCodes.Status403Forbidden);
    }

    /// <summary>Which registration a failed callback was for: OpenIddict keeps its context in the request's transaction.</summary>
    private static string? RegistrationOf(HttpContext http) =>
        http.Features.Get<OpenIddictClientAspNetCoreFeature>()?.Transaction?.Properties
            .GetValueOrDefault(typeof(OpenIddictClientEvents.ProcessAuthenticationContext).FullName!) is OpenIddictClientEvents.ProcessAuthenticationContext context
            ? context.Registration?.RegistrationId
            : null;

    private static async Task RecordFailureAsync(IServiceScopeFactory scopes, Guid connectionId, string error, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        if (await db.SsoConnections.FirstOrDefaultAsync(c => c.Id == connectionId, cancellationToken) is { } connection)
        {
            connection.Failed(error, clock.GetUtcNow());
            await db.CommitAsync(cancellationToken);
        }
    }

    private static IResult LoginPage(string returnUrl, string? userName, string? error, int status = StatusCodes.Status200OK) =>
        AccountPages.Render<LoginPage>(new { ReturnUrl = returnUrl, UserName = userName, Error = error }, status);
}
