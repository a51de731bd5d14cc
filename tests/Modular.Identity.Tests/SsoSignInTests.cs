using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// People of a tenant sign in through the tenant's own provider (issue 17), a real and independent one (panva's
/// oidc-provider): the email leads there, a first sign-in makes the account and the membership with the roles the
/// provider's groups map to, later ones bring the roles up to date, and what the provider cannot vouch for is refused.
/// </summary>
public sealed class SsoSignInTests(PostgresServer postgres, UpstreamIdentityProvider upstream) : IClassFixture<UpstreamIdentityProvider>
{
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

        // An unconfirmed account with the address, perhaps pre-registered by a stranger: the verified sign-in takes it over
        // for the address's owner, and the password nobody proved goes.
        await using (var scope = oidc.Host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Domain.User>>();
            Assert.True((await users.CreateAsync(new Domain.User { UserName = "dave@globex.example", Email = "dave@globex.example", DisplayName = "", CreatedAt = DateTimeOffset.UtcNow }, OidcHost.Password)).Succeeded);
        }

        await upstream.SetAccountAsync("dave", "dave@globex.example", emailVerified: true);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInThroughProviderAsync(Browser(oidc), "dave@globex.example", "dave")).StatusCode);
        var dave = await ReadAsync(oidc, db => db.Users.SingleAsync(u => u.Email == "dave@globex.example", Ct));
        Assert.True(dave.EmailConfirmed);
        Assert.Null(dave.PasswordHash);

        // ID tokens that are another issuer's, another client's, for another sign-in (nonce) or expired; a person who cancels
        // at the provider; a connection whose client secret the provider does not accept.
        await upstream.SetAccountAsync("carol", "carol@acme.example", emailVerified: true);
        foreach (var tamper in new[] { UpstreamTamper.Issuer, UpstreamTamper.Audience, UpstreamTamper.Nonce, UpstreamTamper.Expired })
        {
            await upstream.SetTamperAsync(tamper);
            try
            {
                var tampered = await SignInThroughProviderAsync(Browser(oidc), "carol@acme.example", "carol");
                Assert.True(tampered.StatusCode == HttpStatusCode.BadRequest, $"{tamper}: {tampered.StatusCode}");
                Assert.Contains("did not succeed", await tampered.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            }
            finally
            {
                await upstream.SetTamperAsync(UpstreamTamper.None);
            }
        }

        var globexRow = await ReadAsync(oidc, db => db.SsoConnections.SingleAsync(c => c.Id == globex, Ct));
        await oidc.SendInTenantAsync(oidc.Globex, new UpdateSsoConnection
        {
            Id = globex,
            Name = globexRow.Name,
            Issuer = globexRow.Issuer,
            ClientId = globexRow.ClientId,
            ClientSecret = "not-the-secret",
            Scopes = ["email", "profile", "groups"],
            ClaimMapping = new SsoClaimMapping(),
        });
        // The provider takes pushed authorization requests, which authenticate the client: the wrong secret is refused there.
        var wrongSecret = await AccountFlows.PostAsync(Browser(oidc), IdentityRoutes.Login, IdentityRoutes.LoginIdentify, ("username", "dave@globex.example"), ("returnUrl", "/"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongSecret.StatusCode);
        Assert.Contains("rejected by the remote server", await wrongSecret.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

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

    private Task<Guid> ConnectAsync(OidcHost oidc, Tenants.Contracts.TenantDto tenant, string domain, Dictionary<string, string> groupRoles, bool enforce = false) =>
        UpstreamFlows.ConnectAsync(upstream, oidc, tenant, domain, groupRoles, enforce);

    /// <summary>The whole round trip a browser makes: the email on the sign-in page, then the provider (<see cref="UpstreamFlows"/>).</summary>
    private static async Task<HttpResponseMessage> SignInThroughProviderAsync(HttpClient browser, string email, string? login) =>
        await UpstreamFlows.FollowProviderAsync(browser, await AccountFlows.PostAsync(browser, IdentityRoutes.Login + "?returnUrl=" + Uri.EscapeDataString(IdentityRoutes.Manage),
            IdentityRoutes.LoginIdentify, ("username", email), ("returnUrl", IdentityRoutes.Manage)), login);

    private static HttpClient Browser(OidcHost oidc) => UpstreamFlows.Browser(oidc);

    private static Task<T> ReadAsync<T>(OidcHost oidc, Func<IdentityDbContext, Task<T>> read) => UpstreamFlows.ReadAsync(oidc, read);
}
