using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
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

    private static async Task<IResult> CompleteAsync(HttpContext http, SsoSignIn signIn, IServiceScopeFactory scopes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var result = await http.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        var target = AccountEndpoints.SafeReturnUrl(result.Properties?.RedirectUri);
        if (result.Principal is not { Identity.IsAuthenticated: true } principal)
        {
            var error = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.Error);
            var description = result.Properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.ErrorDescription);
            if (FederatedClientService.ConnectionIdOf(RegistrationOf(http)) is { } failed)
            {
                await RecordFailureAsync(scopes, failed, $"{error}: {description}", clock, cancellationToken);
            }

            return LoginPage(target, null, error == Errors.AccessDenied
                ? "Sign-in was cancelled at your organisation's provider."
                : "Sign-in at your organisation's provider did not succeed. Try again, or ask your administrator.", StatusCodes.Status400BadRequest);
        }

        if (FederatedClientService.ConnectionIdOf(principal.FindFirst(Claims.Private.RegistrationId)?.Value) is not { } connectionId)
        {
            return LoginPage(target, null, "That sign-in did not come from an organisation's provider.", StatusCodes.Status400BadRequest);
        }

        var refusal = await signIn.CompleteAsync(connectionId, principal, cancellationToken);
        return refusal is null ? Results.LocalRedirect(target) : LoginPage(target, null, refusal, StatusCodes.Status403Forbidden);
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
