using System.Net;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using Modular.Identity.Contracts;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// A caller taken out of a tenant is out at once (issue 14, finding 2), with real tokens: the access token it
/// already holds no longer opens the tenant, and its refresh token mints no new one. Sessions in the caller's
/// other tenants carry on.
/// </summary>
public sealed class MembershipRevocationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_removed_member_loses_the_tenant_at_once_and_cannot_refresh_into_it(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = await AliceAsync(oidc);
        await oidc.SendAsync(new SetMembership(alice, oidc.Globex.Id, ["member"]));
        var atAcme = await SignInAsync(oidc, "acme");
        var atGlobex = await SignInAsync(oidc, "globex");
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc, atAcme.AccessToken!)); // now cached as a member

        await oidc.SendAsync(new RemoveMembership(alice, oidc.Acme.Id));

        Assert.Equal(HttpStatusCode.Forbidden, await CurrentTenantAsync(oidc, atAcme.AccessToken!));
        Assert.Equal("invalid_grant", (await RefreshAsync(oidc, atAcme.RefreshToken!)).Error);
        var stillAtGlobex = await RefreshAsync(oidc, atGlobex.RefreshToken!);
        Assert.False(stillAtGlobex.IsError, stillAtGlobex.Error);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc, stillAtGlobex.AccessToken!));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Taking_a_role_away_ends_the_members_sessions_in_that_tenant(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = await AliceAsync(oidc);
        await oidc.SendAsync(new SetMembership(alice, oidc.Acme.Id, ["member", "tenant-admin"]));
        var asAdmin = await SignInAsync(oidc, "acme");

        await oidc.SendAsync(new SetMembership(alice, oidc.Acme.Id, ["member"]));

        Assert.Equal("invalid_grant", (await RefreshAsync(oidc, asAdmin.RefreshToken!)).Error);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc, asAdmin.AccessToken!)); // still a member
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_client_moved_unbound_or_disabled_loses_its_tenant_at_once(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var atAcme = await ServiceTokenAsync(oidc);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc, atAcme));

        await oidc.SendAsync(ServiceClient(tenant: "globex"));
        Assert.Equal(HttpStatusCode.Forbidden, await CurrentTenantAsync(oidc, atAcme));
        var atGlobex = await ServiceTokenAsync(oidc);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc, atGlobex));

        await oidc.SendAsync(ServiceClient(tenant: null));
        Assert.Equal(HttpStatusCode.Forbidden, await CurrentTenantAsync(oidc, atGlobex));

        await oidc.SendAsync(ServiceClient(tenant: oidc.Acme.Id.ToString()));
        var again = await ServiceTokenAsync(oidc);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc, again));
        await oidc.SendAsync(new SetClientEnabled("service", false));
        Assert.Equal(HttpStatusCode.Forbidden, await CurrentTenantAsync(oidc, again));
    }

    private static UpdateClient ServiceClient(string? tenant) => new()
    {
        ClientId = "service",
        Type = ClientKinds.Confidential,
        GrantTypes = ["client_credentials"],
        Scopes = ["api"],
        Tenant = tenant,
        Permissions = [TenantsPermissions.Read],
    };

    private static async Task<HttpStatusCode> CurrentTenantAsync(OidcHost oidc, string accessToken)
    {
        using var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return (await api.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode;
    }

    internal static async Task<TokenResponse> SignInAsync(OidcHost oidc, string? tenant)
    {
        var disco = await oidc.DiscoverAsync();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await oidc.AuthorizeAsync(oidc.Browser(), OidcHost.AuthorizeUrl(disco, challenge, tenant: tenant));
        var tokens = await oidc.Backchannel().RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        }, Ct);
        Assert.False(tokens.IsError, tokens.Error);
        return tokens;
    }

    internal static async Task<TokenResponse> RefreshAsync(OidcHost oidc, string refreshToken) =>
        await oidc.Backchannel().RequestRefreshTokenAsync(new RefreshTokenRequest { Address = "/connect/token", ClientId = "spa", RefreshToken = refreshToken }, Ct);

    internal static async Task<string> ServiceTokenAsync(OidcHost oidc)
    {
        var response = await oidc.Backchannel().RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = "/connect/token",
            ClientId = "service",
            ClientSecret = OidcHost.ServiceSecret,
            Scope = "api",
        }, Ct);
        Assert.False(response.IsError, response.Error);
        return response.AccessToken!;
    }

    internal static async Task<Guid> AliceAsync(OidcHost oidc) => Assert.Single((await oidc.SendAsync(new ListUsers(Search: "alice"))).Items).Id;
}
