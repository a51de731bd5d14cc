using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Kernel.Persistence;
using OpenIddict.Client;

namespace Modular.Identity.Tests;

/// <summary>
/// "Continue with Google" (issue 17): OpenIddict's own Google integration, pointed at a real, independent provider (panva's
/// oidc-provider) in Google's stead. A vouched-for address makes a confirmed account, or mails the confirmed account that has it
/// a link that connects that provider login only; what the provider cannot vouch for links nothing; people connect and remove services on their account
/// page, never another's; an organisation that enforces SSO refuses it.
/// </summary>
public sealed class SocialSignInTests(PostgresServer postgres, UpstreamIdentityProvider upstream) : IClassFixture<UpstreamIdentityProvider>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Google_makes_or_links_accounts_only_on_a_vouched_address_and_people_connect_and_remove_it_on_their_own_account_page(DatabaseProvider provider)
    {
        await using var oidc = await StartWithGoogleAsync(provider);
        await UpstreamFlows.ConnectAsync(upstream, oidc, oidc.Acme, "acme.example", [], enforce: true);

        // The sign-in page offers the one service configured.
        var page = await (await UpstreamFlows.Browser(oidc).GetAsync(IdentityRoutes.Login, Ct)).TextAsync();
        Assert.Contains("Continue with Google", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Continue with GitHub", page, StringComparison.Ordinal);

        // A first sign-in with a vouched address makes a confirmed account without a password; the next finds it again.
        await upstream.SetAccountAsync("gina", "gina@example.com", emailVerified: true, "Gina Google");
        var gina = UpstreamFlows.Browser(oidc);
        var landed = await SignInWithGoogleAsync(gina, "gina");
        Assert.Equal(HttpStatusCode.Redirect, landed.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, landed.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await gina.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);
        var created = await UpstreamFlows.ReadAsync(oidc, db => db.Users.SingleAsync(u => u.Email == "gina@example.com", Ct));
        Assert.True(created.EmailConfirmed);
        Assert.Null(created.PasswordHash);
        Assert.Equal("Gina Google", created.DisplayName);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), "gina")).StatusCode);
        Assert.Equal(1, await UpstreamFlows.ReadAsync(oidc, db => db.Users.CountAsync(u => u.Email == "gina@example.com", Ct)));

        // Gina's only way in cannot be removed; a forged removal (no token) and someone else's login are refused.
        var ginaKey = await UpstreamFlows.ReadAsync(oidc, db => db.Set<IdentityUserLogin<Guid>>().Where(l => l.UserId == created.Id).Select(l => l.ProviderKey).SingleAsync(Ct));
        var last = await AccountFlows.PostAsync(gina, IdentityRoutes.ExternalLogins, IdentityRoutes.RemoveExternalLogin, ("loginProvider", "Google"), ("providerKey", ginaKey));
        Assert.Equal(HttpStatusCode.BadRequest, last.StatusCode);
        Assert.Contains(ExternalLoginsEndpoints.LastWayToSignIn, WebUtility.HtmlDecode(await last.TextAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(gina, IdentityRoutes.RemoveExternalLogin, ("loginProvider", "Google"), ("providerKey", ginaKey))).StatusCode);

        // Alice (a confirmed account with a password) signs in with Google for her address: nothing is linked until she opens
        // the link mailed to her (opening alone changes nothing; the link is for that Google account and hers only).
        await upstream.SetAccountAsync("alice-google", "alice@example.com", emailVerified: true);
        var mailed = await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), "alice-google");
        Assert.Equal(HttpStatusCode.OK, mailed.StatusCode);
        Assert.Contains("Check your email", await mailed.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await UpstreamFlows.ReadAsync(oidc, db => db.Set<IdentityUserLogin<Guid>>().CountAsync(Ct)));
        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "alice@example.com", OutgoingEmailKinds.ConnectLogin);
        Assert.Contains("key=alice-google", link, StringComparison.Ordinal);
        var forged = link.Replace("key=alice-google", "key=" + ginaKey, StringComparison.Ordinal); // Gina's login onto Alice's account
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.ConfirmThroughLinkAsync(UpstreamFlows.Browser(oidc), forged)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AccountFlows.ConfirmThroughLinkAsync(UpstreamFlows.Browser(oidc), link)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), "alice-google")).StatusCode);
        var alice = UpstreamFlows.Browser(oidc);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(alice, IdentityRoutes.Login, "alice@example.com", OidcHost.Password)).StatusCode);
        var aliceLogins = await (await alice.GetAsync(IdentityRoutes.ExternalLogins, Ct)).TextAsync();
        Assert.Contains("data-testid=\"external-login\"", aliceLogins, StringComparison.Ordinal);
        var wrongOwner = await AccountFlows.PostAsync(alice, IdentityRoutes.ExternalLogins, IdentityRoutes.RemoveExternalLogin, ("loginProvider", "Google"), ("providerKey", ginaKey));
        Assert.Equal(HttpStatusCode.NotFound, wrongOwner.StatusCode);
        var aliceKey = await UpstreamFlows.ReadAsync(oidc, db => db.Set<IdentityUserLogin<Guid>>().Where(l => l.ProviderKey != ginaKey).Select(l => l.ProviderKey).SingleAsync(Ct));
        var removed = await AccountFlows.PostAsync(alice, IdentityRoutes.ExternalLogins, IdentityRoutes.RemoveExternalLogin, ("loginProvider", "Google"), ("providerKey", aliceKey));
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Contains("data-testid=\"no-external-logins\"", await (await alice.GetAsync(IdentityRoutes.ExternalLogins, Ct)).TextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await UpstreamFlows.ReadAsync(oidc, db => db.Set<IdentityUserLogin<Guid>>().CountAsync(Ct)));

        // Connecting from the account page links the Google account Alice signs in to, whatever its address says.
        await upstream.SetAccountAsync("alice-work", "someone-else@example.com", emailVerified: false);
        var connect = await AccountFlows.PostAsync(alice, IdentityRoutes.ExternalLogins, IdentityRoutes.ConnectExternalLogin, ("provider", "Google"));
        var connected = await UpstreamFlows.FollowProviderAsync(alice, connect, "alice-work");
        Assert.Equal(IdentityRoutes.ExternalLogins + "?done=connected", connected.Headers.Location?.OriginalString);
        var aliceId = (await UpstreamFlows.ReadAsync(oidc, db => db.Users.SingleAsync(u => u.Email == "alice@example.com", Ct))).Id;
        Assert.Equal(1, await UpstreamFlows.ReadAsync(oidc, db => db.Set<IdentityUserLogin<Guid>>().CountAsync(l => l.UserId == aliceId, Ct)));
        // ...but not one already connected to another account (Gina's), and not for a browser that is not the asker's any more.
        var taken = await UpstreamFlows.FollowProviderAsync(alice,
            await AccountFlows.PostAsync(alice, IdentityRoutes.ExternalLogins, IdentityRoutes.ConnectExternalLogin, ("provider", "Google")), "gina");
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("connected to another account", await taken.TextAsync(), StringComparison.Ordinal);
        var challenge = await AccountFlows.PostAsync(alice, IdentityRoutes.ExternalLogins, IdentityRoutes.ConnectExternalLogin, ("provider", "Google"));
        Assert.Equal(HttpStatusCode.Redirect, (await AccountFlows.PostAsync(alice, IdentityRoutes.Manage, IdentityRoutes.Logout)).StatusCode);
        var orphaned = await UpstreamFlows.FollowProviderAsync(alice, challenge, "mallory");
        Assert.Equal(HttpStatusCode.Forbidden, orphaned.StatusCode);

        // What Google does not vouch for links nothing and makes nothing: Bob's confirmed account, or a new address.
        await upstream.SetAccountAsync("mallory", "bob@example.com", emailVerified: false);
        await CreateConfirmedUserAsync(oidc, "bob@example.com");
        // Both get the same answer, so the page tells nobody which addresses have accounts.
        var squatter = await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), "mallory");
        Assert.Equal(HttpStatusCode.Forbidden, squatter.StatusCode);
        Assert.Contains("has not confirmed bob@example.com", WebUtility.HtmlDecode(await squatter.TextAsync()), StringComparison.Ordinal);
        await upstream.SetAccountAsync("newbie", "newbie@example.com", emailVerified: false);
        var unvouched = await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), "newbie");
        Assert.Equal(HttpStatusCode.Forbidden, unvouched.StatusCode);
        Assert.Equal(
            (await AlertAsync(squatter)).Replace("bob@example.com", "{email}", StringComparison.Ordinal),
            (await AlertAsync(unvouched)).Replace("newbie@example.com", "{email}", StringComparison.Ordinal));
        Assert.Equal(0, await UpstreamFlows.ReadAsync(oidc, db => db.Set<IdentityUserLogin<Guid>>().CountAsync(l => l.ProviderKey == "mallory", Ct)));
        Assert.False(await UpstreamFlows.ReadAsync(oidc, db => db.Users.AnyAsync(u => u.Email == "newbie@example.com", Ct)));

        // An organisation that enforces single sign-on refuses Google for its addresses; a cancelled sign-in says so.
        await upstream.SetAccountAsync("carl", "carl@acme.example", emailVerified: true);
        var enforced = await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), "carl");
        Assert.Equal(HttpStatusCode.Forbidden, enforced.StatusCode);
        Assert.Contains(AccountPages.UseSingleSignOn, WebUtility.HtmlDecode(await enforced.TextAsync()), StringComparison.Ordinal);
        Assert.False(await UpstreamFlows.ReadAsync(oidc, db => db.Users.AnyAsync(u => u.Email == "carl@acme.example", Ct)));
        var cancelled = await SignInWithGoogleAsync(UpstreamFlows.Browser(oidc), login: null);
        Assert.Equal(HttpStatusCode.BadRequest, cancelled.StatusCode);
        Assert.Contains("cancelled at Google", await cancelled.TextAsync(), StringComparison.Ordinal);

        // A service that is not configured, a forged post and an anonymous account page are refused.
        var unknown = await AccountFlows.PostAsync(UpstreamFlows.Browser(oidc), IdentityRoutes.Login, IdentityRoutes.LoginExternal, ("provider", "GitHub"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var signedIn = UpstreamFlows.Browser(oidc);
        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(signedIn, IdentityRoutes.Login, "alice@example.com", OidcHost.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostAsync(signedIn, IdentityRoutes.ExternalLogins, IdentityRoutes.ConnectExternalLogin, ("provider", "<script>"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(UpstreamFlows.Browser(oidc), IdentityRoutes.ConfirmExternalLogin, ("userId", aliceId.ToString()))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await AccountFlows.PostWithoutTokenAsync(UpstreamFlows.Browser(oidc), IdentityRoutes.LoginExternal, ("provider", "Google"))).StatusCode);
        var anonymous = await UpstreamFlows.Browser(oidc).GetAsync(IdentityRoutes.ExternalLogins, Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith(IdentityRoutes.Login, anonymous.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_provider_is_registered_only_when_its_client_id_and_secret_are_set_with_the_hosts_one_callback()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:Social:GitHub:ClientId"] = "gh-client",
            ["Identity:Social:GitHub:ClientSecret"] = "gh-secret",
            ["Identity:Social:Microsoft:ClientId"] = "ms-client", // no secret: not offered
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        SocialProviders? social = null;
        services.AddOpenIddict().AddClient(client =>
        {
            client.AllowAuthorizationCodeFlow();
            client.AddEphemeralEncryptionKey(SecurityAlgorithms.Aes256KW).AddEphemeralSigningKey(SecurityAlgorithms.EcdsaSha256);
            client.UseSystemNetHttp();
            social = SocialProviders.Register(client, configuration);
        });

        Assert.Equal(["GitHub"], social!.Configured.Select(p => p.Name));
        using var provider = services.BuildServiceProvider();
        var github = Assert.Single(provider.GetRequiredService<IOptions<OpenIddictClientOptions>>().Value.Registrations);
        Assert.Equal("social-github", github.RegistrationId);
        Assert.Equal("GitHub", github.ProviderName);
        Assert.Equal(new Uri("https://github.com/login/oauth"), github.Issuer);
        Assert.Equal("account/external/callback", github.RedirectUri?.OriginalString);
        Assert.Same(SocialProviders.All[0], SocialProviders.OfRegistration("social-github"));
        Assert.Null(SocialProviders.OfRegistration("sso-social-github"));
    }

    /// <summary>A host with Google configured, whose Google is the upstream provider (OpenIddict keeps an issuer set before its own).</summary>
    private async Task<OidcHost> StartWithGoogleAsync(DatabaseProvider provider)
    {
        var (clientId, secret) = await upstream.RegisterClientAsync(UpstreamFlows.Callback, Ct);
        var settings = SsoConnectionTests.FederationSettings();
        settings["Identity:Social:Google:ClientId"] = clientId;
        settings["Identity:Social:Google:ClientSecret"] = secret;
        return await OidcHost.StartAsync(provider, postgres, settings, services =>
            services.Configure<OpenIddictClientOptions>(options => options.Registrations.Single(r => r.RegistrationId == "social-google").Issuer = upstream.Issuer));
    }

    private static async Task<HttpResponseMessage> SignInWithGoogleAsync(HttpClient browser, string? login) =>
        await UpstreamFlows.FollowProviderAsync(browser, await AccountFlows.PostAsync(browser, IdentityRoutes.Login + "?returnUrl=" + Uri.EscapeDataString(IdentityRoutes.Manage),
            IdentityRoutes.LoginExternal, ("provider", "Google"), ("returnUrl", IdentityRoutes.Manage)), login);

    /// <summary>The sentence a refused sign-in shows (the page around it carries a fresh antiforgery token each time).</summary>
    private static async Task<string> AlertAsync(HttpResponseMessage response)
    {
        var alert = System.Text.RegularExpressions.Regex.Match(await response.TextAsync(), "role=\"alert\">([^<]*)<");
        Assert.True(alert.Success, "the page should say why");
        return WebUtility.HtmlDecode(alert.Groups[1].Value);
    }

    private static async Task CreateConfirmedUserAsync(OidcHost oidc, string email)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var created = await users.CreateAsync(new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow }, OidcHost.Password);
        Assert.True(created.Succeeded);
    }
}
