using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// Another site cannot sign a user out (issue 14, finding 8): a forged post to the sign-out form is refused, and the
/// OpenID end-session endpoint signs out at once only for a client that proves it holds the signed-in user's identity
/// token; without that proof the user is asked first.
/// </summary>
public sealed class SignOutTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cross_site_post_to_the_sign_out_form_is_refused_and_the_user_stays_signed_in()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var browser = await OidcHost.SignedInBrowserAsync(oidc);

        var forged = await AccountFlows.PostWithoutTokenAsync(browser, IdentityRoutes.Logout);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        // The account page's own button carries the token.
        var signedOut = await AccountFlows.PostAsync(browser, IdentityRoutes.Manage, IdentityRoutes.Logout);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);
    }

    [Fact]
    public async Task End_session_without_the_users_identity_token_asks_before_signing_out()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = await OidcHost.SignedInBrowserAsync(oidc);

        // A link or image on any page: no hint at all.
        var noHint = await browser.GetAsync(disco.EndSessionEndpoint, Ct);
        Assert.Equal(HttpStatusCode.OK, noHint.StatusCode);
        Assert.Contains("Sign out?", await noHint.TextAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        // A valid identity token, but someone else's: the attacker's own.
        await CreateUserAsync(oidc, "mallory@example.com");
        var mallorys = await IdentityTokenAsync(oidc, oidc.Browser(), "mallory@example.com");
        var foreignHint = await browser.GetAsync(new RequestUrl(disco.EndSessionEndpoint!).CreateEndSessionUrl(idTokenHint: mallorys), Ct);
        Assert.Equal(HttpStatusCode.OK, foreignHint.StatusCode);
        Assert.Contains("Sign out?", await foreignHint.TextAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        // The confirmation posted without its antiforgery token (a forged form) signs nobody out either.
        var forged = await browser.PostAsync(disco.EndSessionEndpoint, new FormUrlEncodedContent(
            OidcHost.HiddenFields(await noHint.TextAsync()).Where(f => f.Key != "__RequestVerificationToken")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        // The user's own answer does.
        var confirmed = await browser.PostAsync(disco.EndSessionEndpoint, new FormUrlEncodedContent(OidcHost.HiddenFields(await noHint.TextAsync())), Ct);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);
    }

    [Fact]
    public async Task End_session_with_the_signed_in_users_identity_token_signs_out_at_once()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = oidc.Browser();
        var idToken = await IdentityTokenAsync(oidc, browser, "alice@example.com");

        var signedOut = await browser.GetAsync(new RequestUrl(disco.EndSessionEndpoint!).CreateEndSessionUrl(
            idTokenHint: idToken, postLogoutRedirectUri: OidcHost.PostLogoutUri, state: "bye"), Ct);

        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.StartsWith(OidcHost.PostLogoutUri, signedOut.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);
    }

    /// <summary>Signs <paramref name="user"/> in at the SPA in <paramref name="browser"/>; returns the identity token.</summary>
    private static async Task<string> IdentityTokenAsync(OidcHost oidc, HttpClient browser, string user)
    {
        var disco = await oidc.DiscoverAsync();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await oidc.AuthorizeAsync(browser, OidcHost.AuthorizeUrl(disco, challenge), user);
        var tokens = await oidc.Backchannel().RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        }, Ct);
        Assert.False(tokens.IsError, tokens.Error);
        return tokens.IdentityToken!;
    }

    private static async Task CreateUserAsync(OidcHost oidc, string email)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<User>>().CreateAsync(user, OidcHost.Password)).Succeeded);
    }
}
