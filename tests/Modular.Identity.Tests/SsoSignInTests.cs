using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Tests;

/// <summary>
/// People of a tenant sign in through the tenant's own provider (issue 17), a real and independent one (panva's
/// oidc-provider): the email leads there, a first sign-in makes the account and the membership with the roles the
/// provider's groups map to, later ones bring the roles up to date, and what the provider cannot vouch for is refused.
/// </summary>
public sealed partial class SsoSignInTests(PostgresServer postgres, UpstreamIdentityProvider upstream) : IClassFixture<UpstreamIdentityProvider>
{
    private static readonly Uri Callback = new("https://localhost/account/external/callback");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_member_signs_in_through_the_tenants_provider_gets_mapped_roles_in_that_tenant_only_and_loses_the_session_with_the_connection(
        DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres, SsoConnectionTests.FederationSettings());
        var connection = await ConnectAsync(oidc, oidc.Acme, "acme.example", new() { ["engineers"] = IdentityRoles.TenantAdmin });
        await upstream.SetAccountAsync("bob", "bob@acme.example", emailVerified: true, "Bob Builder", ["engineers"]);

        var browser = Browser(oidc);
        var landed = await SignInThroughProviderAsync(browser, "bob@acme.example", "bob");
        Assert.Equal(HttpStatusCode.Redirect, landed.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, landed.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        var bob = await ReadAsync(oidc, db => db.Users.SingleAsync(u => u.Email == "bob@acme.example", Ct));
        Assert.True(bob.EmailConfirmed);
        Assert.Null(bob.PasswordHash);
        Assert.Equal(oidc.Acme.Id, bob.PreferredTenantId);
        var membership = Assert.Single(await ReadAsync(oidc, db => db.Memberships.Where(m => m.UserId == bob.Id).ToListAsync(Ct)));
        Assert.Equal(oidc.Acme.Id, membership.TenantId);
        Assert.Equal([IdentityRoles.TenantAdmin], membership.Roles);

        // The provider moves Bob out of the group: his next sign-in takes the role it gave, and gives the default one.
        await upstream.SetAccountAsync("bob", "bob@acme.example", emailVerified: true, "Bob Builder", ["sales"]);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInThroughProviderAsync(Browser(oidc), "bob@acme.example", "bob")).StatusCode);
        Assert.Equal([IdentityRoles.Member], (await ReadAsync(oidc, db => db.Memberships.SingleAsync(m => m.UserId == bob.Id, Ct))).Roles);

        // The connection is deleted while Bob is signed in: his session ends at his next request.
        await oidc.SendInTenantAsync(oidc.Acme, new DeleteSsoConnection(connection));
        var after = await browser.GetAsync(IdentityRoutes.Manage, Ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith(IdentityRoutes.Login, after.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_provider_cannot_vouch_for_is_refused_and_enforced_sso_refuses_passwords()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres, SsoConnectionTests.FederationSettings());
        await ConnectAsync(oidc, oidc.Acme, "acme.example", [], enforce: true);
        var globex = await ConnectAsync(oidc, oidc.Globex, "globex.example", []);

        // An address outside the connection's domains (at Globex's provider, an acme.example address), and an unverified one.
        await upstream.SetAccountAsync("mallory", "mallory@acme.example", emailVerified: true);
        var foreign = await SignInThroughProviderAsync(Browser(oidc), "someone@globex.example", "mallory");
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("outside the domains", await foreign.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("outside the domains", (await ReadAsync(oidc, db => db.SsoConnections.SingleAsync(c => c.Id == globex, Ct))).LastError, StringComparison.Ordinal);
        Assert.False(await ReadAsync(oidc, db => db.Users.AnyAsync(u => u.Email == "mallory@acme.example", Ct)));

        // A token that is not for us (audience), and a person who cancels at the provider.
        await upstream.SetTamperAsync(UpstreamTamper.Audience);
        try
        {
            await upstream.SetAccountAsync("carol", "carol@acme.example", emailVerified: true);
            var tampered = await SignInThroughProviderAsync(Browser(oidc), "carol@acme.example", "carol");
            Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
            Assert.Contains("did not succeed", await tampered.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            await upstream.SetTamperAsync(UpstreamTamper.None);
        }

        var cancelled = await SignInThroughProviderAsync(Browser(oidc), "carol@acme.example", login: null);
        Assert.Equal(HttpStatusCode.BadRequest, cancelled.StatusCode);
        Assert.Contains("cancelled", await cancelled.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(await ReadAsync(oidc, db => db.Users.AnyAsync(u => u.Email == "carol@acme.example", Ct)));

        // Acme enforces SSO: a password sign-in, a reset and a registration for its addresses are refused, pointing to SSO.
        var password = await OidcHost.SignInAsync(Browser(oidc), IdentityRoutes.Login, "carol@acme.example", OidcHost.Password);
        Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
        Assert.Contains(AccountPages.UseSingleSignOn, WebUtility.HtmlDecode(await password.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        var reset = await AccountFlows.PostAsync(Browser(oidc), IdentityRoutes.ForgotPassword, IdentityRoutes.ForgotPassword, ("email", "carol@acme.example"));
        Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
        // Other addresses still see the password step after the first.
        var other = await AccountFlows.PostAsync(Browser(oidc), IdentityRoutes.Login, IdentityRoutes.LoginIdentify, ("username", "alice@example.com"), ("returnUrl", "/"));
        Assert.Contains("type=\"password\"", await other.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>A connection of <paramref name="tenant"/> to the upstream provider, with a client registered there, and its domain verified.</summary>
    private async Task<Guid> ConnectAsync(OidcHost oidc, Tenants.Contracts.TenantDto tenant, string domain, Dictionary<string, string> groupRoles, bool enforce = false)
    {
        var (clientId, secret) = await upstream.RegisterClientAsync(Callback, Ct);
        var connection = await oidc.SendInTenantAsync(tenant, new CreateSsoConnection
        {
            Name = $"{tenant.Slug} IdP",
            Issuer = upstream.Issuer.ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scopes = ["email", "profile", "groups"],
            ClaimMapping = new SsoClaimMapping { GroupRoles = groupRoles },
            EnforceSso = enforce,
        });
        var claimed = await oidc.SendInTenantAsync(tenant, new AddSsoDomain(connection.Id, domain));
        await oidc.SendInTenantAsync(tenant, new ConfirmSsoDomain(connection.Id, claimed.Id));
        return connection.Id;
    }

    /// <summary>
    /// The whole round trip a browser makes: the email on the sign-in page, the provider's login form (or its Cancel link when
    /// <paramref name="login"/> is null), and back to the host's callback. Returns the callback's answer.
    /// </summary>
    private static async Task<HttpResponseMessage> SignInThroughProviderAsync(HttpClient browser, string email, string? login)
    {
        var challenge = await AccountFlows.PostAsync(browser, IdentityRoutes.Login + "?returnUrl=" + Uri.EscapeDataString(IdentityRoutes.Manage),
            IdentityRoutes.LoginIdentify, ("username", email), ("returnUrl", IdentityRoutes.Manage));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        using var provider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var next = challenge.Headers.Location!;
        while (next.Host != "localhost")
        {
            var response = await provider.GetAsync(next, Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var html = await response.Content.ReadAsStringAsync(Ct);
                if (login is null)
                {
                    next = new Uri(next, WebUtility.HtmlDecode(AbortLink().Match(html).Groups[1].Value));
                    continue;
                }

                var action = new Uri(next, WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value));
                response = await provider.PostAsync(action, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["prompt"] = "login",
                    ["login"] = login,
                    ["password"] = "any",
                }), Ct);
            }

            Assert.True((int)response.StatusCode is >= 300 and < 400, $"the provider answered {response.StatusCode}");
            next = new Uri(next, response.Headers.Location!);
        }

        return await browser.GetAsync(next.PathAndQuery, Ct);
    }

    /// <summary>
    /// A browser on https: OpenIddict's correlation cookie is Secure, which a real browser keeps on loopback http too but a
    /// cookie container does not.
    /// </summary>
    private static HttpClient Browser(OidcHost oidc) => oidc.Host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    });

    private static async Task<T> ReadAsync<T>(OidcHost oidc, Func<IdentityDbContext, Task<T>> read)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await read(scope.ServiceProvider.GetRequiredService<IdentityDbContext>());
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("href=\"([^\"]*/abort)\"")]
    private static partial Regex AbortLink();
}
