using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Duende.IdentityModel.Client;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>Every flow through the real pipeline with an independent client library (Duende.IdentityModel).</summary>
public sealed class OidcFlowTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Discovery_advertises_the_endpoints_s256_only_and_the_iss_parameter()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);

        var disco = await oidc.DiscoverAsync();

        Assert.Equal("http://localhost/", disco.Issuer);
        Assert.All([disco.AuthorizeEndpoint, disco.TokenEndpoint, disco.UserInfoEndpoint, disco.EndSessionEndpoint,
            disco.IntrospectionEndpoint, disco.RevocationEndpoint, disco.DeviceAuthorizationEndpoint, disco.JwksUri], Assert.NotNull);
        Assert.Equal(["S256"], disco.CodeChallengeMethodsSupported);
        Assert.True(disco.AuthorizationResponseIssParameterSupported);
        Assert.NotEmpty(disco.KeySet!.Keys);
        Assert.All(disco.KeySet.Keys, key => Assert.Equal("RSA", key.Kty));
    }

    [Theory]
    [Trait("Category", "Smoke")]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_client_credentials_token_validates_through_jwks_alone_and_opens_its_tenants_api(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var disco = await oidc.DiscoverAsync();

        var token = await oidc.Backchannel().RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "service",
            ClientSecret = OidcHost.ServiceSecret,
            Scope = "api",
        }, Ct);
        Assert.False(token.IsError, token.Error);

        var validated = await oidc.ValidateWithJwksAsync(disco, token.AccessToken!);
        Assert.True(validated.IsValid, validated.Exception?.Message);
        Assert.Equal("service", validated.Claims["sub"]);
        Assert.Equal("acme", validated.Claims["tenant"]);

        var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        Assert.Equal(oidc.Acme.Id, (await api.GetFromJsonAsync<TenantDto>(TenantsRoutes.CurrentTenant, Ct))!.Id);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(TenantsRoutes.Tenants, Ct)).StatusCode); // it holds tenants.read
        await (await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "nope", name = "Nope" }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        // Its token is for acme: asking for globex's data is refused.
        var other = new HttpRequestMessage(HttpMethod.Get, TenantsRoutes.CurrentTenant);
        other.Headers.Add(TenantResolution.Header, "globex");
        await (await api.SendAsync(other, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
    }

    [Fact]
    public async Task Bad_client_credentials_requests_get_the_protocols_errors()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var http = oidc.Backchannel();

        var wrongSecret = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "service",
            ClientSecret = "guess",
            Scope = "api",
        }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.HttpStatusCode);
        Assert.Contains("invalid_client", wrongSecret.Raw + wrongSecret.HttpResponse?.Headers.WwwAuthenticate, StringComparison.Ordinal);

        var unknownScope = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "service",
            ClientSecret = OidcHost.ServiceSecret,
            Scope = "api admin-everything",
        }, Ct);
        Assert.Equal("invalid_scope", unknownScope.Error);

        var publicClient = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Scope = "api",
        }, Ct);
        Assert.True(publicClient.IsError);
        Assert.Contains(publicClient.Error, new[] { "unauthorized_client", "invalid_client", "invalid_request" });

        var anonymous = await oidc.Backchannel().GetAsync(TenantsRoutes.Tenants, Ct);
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Code_flow_with_pkce_userinfo_refresh_rotation_introspection_and_revocation(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var disco = await oidc.DiscoverAsync();
        var (verifier, challenge) = OidcHost.Pkce();

        var redirect = await oidc.AuthorizeAsync(oidc.Browser(), OidcHost.AuthorizeUrl(disco, challenge));
        Assert.StartsWith(OidcHost.RedirectUri, redirect.ToString());
        Assert.Equal("state-1", OidcHost.Query(redirect, "state"));
        Assert.Equal(disco.Issuer, OidcHost.Query(redirect, "iss"));

        var http = oidc.Backchannel();
        var tokens = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        }, Ct);
        Assert.False(tokens.IsError, tokens.Error);
        Assert.NotNull(tokens.IdentityToken);
        Assert.NotNull(tokens.RefreshToken);

        var access = await oidc.ValidateWithJwksAsync(disco, tokens.AccessToken!);
        Assert.True(access.IsValid, access.Exception?.Message);
        Assert.Equal(oidc.Acme.Id.ToString(), access.Claims["tenant"]); // alice's only tenant

        var userInfo = await http.GetUserInfoAsync(new UserInfoRequest { Address = disco.UserInfoEndpoint, Token = tokens.AccessToken }, Ct);
        Assert.False(userInfo.IsError, userInfo.Error);
        Assert.Equal("alice@example.com", userInfo.TryGet("email"));

        var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        Assert.Equal(oidc.Acme.Id, (await api.GetFromJsonAsync<TenantDto>(TenantsRoutes.CurrentTenant, Ct))!.Id);

        // Rotation: the new refresh token works, the old one is refused (and, replayed, revokes the chain).
        var refreshed = await http.RequestRefreshTokenAsync(new RefreshTokenRequest { Address = disco.TokenEndpoint, ClientId = "spa", RefreshToken = tokens.RefreshToken! }, Ct);
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.NotEqual(tokens.RefreshToken, refreshed.RefreshToken);

        var introspected = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = "modular-api",
            ClientSecret = OidcHost.ApiSecret,
            Token = refreshed.AccessToken!,
        }, Ct);
        Assert.True(introspected.IsActive, introspected.Error);

        var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = disco.RevocationEndpoint,
            ClientId = "spa",
            Token = refreshed.RefreshToken!,
            TokenTypeHint = "refresh_token",
        }, Ct);
        Assert.False(revoked.IsError, revoked.Error);
        var afterRevocation = await http.RequestRefreshTokenAsync(new RefreshTokenRequest { Address = disco.TokenEndpoint, ClientId = "spa", RefreshToken = refreshed.RefreshToken! }, Ct);
        Assert.Equal("invalid_grant", afterRevocation.Error);
    }

    [Fact]
    public async Task A_replayed_code_is_refused_and_revokes_the_tokens_of_its_first_redemption()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await oidc.AuthorizeAsync(oidc.Browser(), OidcHost.AuthorizeUrl(disco, challenge));
        var http = oidc.Backchannel();
        var exchange = new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        };

        var first = await http.RequestAuthorizationCodeTokenAsync(exchange, Ct);
        Assert.False(first.IsError, first.Error);
        var second = await http.RequestAuthorizationCodeTokenAsync(exchange, Ct);

        Assert.Equal("invalid_grant", second.Error);
        var stolen = await http.RequestRefreshTokenAsync(new RefreshTokenRequest { Address = disco.TokenEndpoint, ClientId = "spa", RefreshToken = first.RefreshToken! }, Ct);
        Assert.Equal("invalid_grant", stolen.Error);
    }

    [Fact]
    public async Task Pkce_is_required_and_only_s256_and_a_wrong_verifier_fails()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = oidc.Browser();

        var noPkce = new RequestUrl(disco.AuthorizeEndpoint!).CreateAuthorizeUrl(clientId: "spa", responseType: "code", scope: "openid", redirectUri: OidcHost.RedirectUri, state: "s");
        await AssertRefusedAsync(await browser.GetAsync(noPkce, Ct), "invalid_request");
        var plain = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, "a-plain-challenge-that-is-long-enough-to-count-1234", method: "plain"), Ct);
        await AssertRefusedAsync(plain, "invalid_request");

        var (_, challenge) = OidcHost.Pkce();
        var redirect = await oidc.AuthorizeAsync(browser, OidcHost.AuthorizeUrl(disco, challenge));
        var wrongVerifier = await oidc.Backchannel().RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = OidcHost.Pkce().Verifier,
        }, Ct);
        Assert.Equal("invalid_grant", wrongVerifier.Error);
    }

    [Fact]
    public async Task An_unregistered_redirect_uri_is_an_error_at_the_provider_and_never_a_redirect()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();

        var response = await oidc.Browser().GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge, redirectUri: "https://evil.example/callback"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Login_says_the_same_for_unknown_users_and_wrong_passwords_locks_out_and_never_redirects_off_site()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var browser = oidc.Browser();

        var unknown = await OidcHost.SignInAsync(browser, $"{IdentityRoutes.Login}?returnUrl=/admin", "nobody@example.com", "whatever-password");
        var wrong = await OidcHost.SignInAsync(browser, $"{IdentityRoutes.Login}?returnUrl=/admin", "alice@example.com", "wrong-password");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Contains(Account.AccountEndpoints.FailedSignIn, await unknown.Content.ReadAsStringAsync(Ct));
        Assert.Contains(Account.AccountEndpoints.FailedSignIn, await wrong.Content.ReadAsStringAsync(Ct));

        var offSite = await OidcHost.SignInAsync(oidc.Browser(), $"{IdentityRoutes.Login}?returnUrl=https://evil.example/", "alice@example.com", OidcHost.Password);
        Assert.Equal(IdentityRoutes.Manage, offSite.Headers.Location?.OriginalString);
        var protocolRelative = await OidcHost.SignInAsync(oidc.Browser(), $"{IdentityRoutes.Login}?returnUrl=//evil.example/", "alice@example.com", OidcHost.Password);
        Assert.Equal(IdentityRoutes.Manage, protocolRelative.Headers.Location?.OriginalString);

        // Five counted failures (the lockout threshold), not retries: each must be refused as such.
        for (var failure = 0; failure < 5; failure++)
        {
            var refused = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "alice@example.com", "wrong-password");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        var lockedOut = await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "alice@example.com", OidcHost.Password);
        Assert.Equal(HttpStatusCode.BadRequest, lockedOut.StatusCode);
    }

    [Fact]
    public async Task The_login_form_refuses_a_post_without_its_antiforgery_token()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice@example.com", ["password"] = OidcHost.Password });

        var forged = await oidc.Browser().PostAsync(IdentityRoutes.Login, form, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null(forged.Headers.Location);
    }

    [Fact]
    public async Task Prompt_none_without_a_session_is_login_required_and_prompt_login_asks_again()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = oidc.Browser();

        var silent = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge) + "&prompt=none", Ct);
        Assert.Equal("login_required", OidcHost.Query(silent.Headers.Location!, "error"));

        await oidc.AuthorizeAsync(browser, OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge));
        var again = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge) + "&prompt=login", Ct);
        Assert.Equal(IdentityRoutes.Login, again.Headers.Location!.AbsolutePath);
        var withSession = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge), Ct);
        Assert.StartsWith(OidcHost.RedirectUri, withSession.Headers.Location!.ToString());
    }

    /// <summary>The provider refused: with an error at the client's (registered) redirect URI, or on its own page.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, string error)
    {
        if (response.StatusCode == HttpStatusCode.Found)
        {
            Assert.Equal(error, OidcHost.Query(response.Headers.Location!, "error"));
            Assert.Empty(OidcHost.Query(response.Headers.Location!, "code"));
            return;
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
