using System.Net;
using Duende.IdentityModel.Client;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

public sealed class DeviceAndSessionTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_device_gets_tokens_once_the_signed_in_user_approves_its_code(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var disco = await oidc.DiscoverAsync();
        var http = oidc.Backchannel();

        var device = await http.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest
        {
            Address = disco.DeviceAuthorizationEndpoint,
            ClientId = "tv",
            Scope = "openid api offline_access",
        }, Ct);
        Assert.False(device.IsError, device.Error);
        var poll = new DeviceTokenRequest { Address = disco.TokenEndpoint, ClientId = "tv", DeviceCode = device.DeviceCode! };
        Assert.Equal("authorization_pending", (await http.RequestDeviceTokenAsync(poll, Ct)).Error);

        var browser = await OidcHost.SignedInBrowserAsync(oidc);
        var page = await browser.GetAsync($"/connect/verify?user_code={Uri.EscapeDataString(device.UserCode!)}", Ct);
        Assert.Contains("Living-room TV", await page.Content.ReadAsStringAsync(Ct));
        var approved = await OidcHost.SubmitAsync(browser, $"/connect/verify?user_code={Uri.EscapeDataString(device.UserCode!)}", "/connect/verify",
            new() { ["user_code"] = device.UserCode!, ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Found, approved.StatusCode);

        var tokens = await http.RequestDeviceTokenAsync(poll, Ct);
        Assert.False(tokens.IsError, tokens.Error);
        var access = await oidc.ValidateWithJwksAsync(disco, tokens.AccessToken!);
        Assert.True(access.IsValid, access.Exception?.Message);
        Assert.Equal(oidc.Acme.Id.ToString(), access.Claims["tenant"]);

        // The device code is spent.
        Assert.Equal("invalid_grant", (await http.RequestDeviceTokenAsync(poll, Ct)).Error);
    }

    [Fact]
    public async Task A_denied_or_unknown_device_code_gets_no_tokens()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var http = oidc.Backchannel();
        var device = await http.RequestDeviceAuthorizationAsync(new DeviceAuthorizationRequest { Address = disco.DeviceAuthorizationEndpoint, ClientId = "tv", Scope = "api" }, Ct);
        var browser = await OidcHost.SignedInBrowserAsync(oidc);

        var unknown = await OidcHost.SubmitAsync(browser, "/connect/verify", "/connect/verify", new() { ["user_code"] = "WRONG-CODE", ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        await OidcHost.SubmitAsync(browser, $"/connect/verify?user_code={Uri.EscapeDataString(device.UserCode!)}", "/connect/verify",
            new() { ["user_code"] = device.UserCode!, ["decision"] = "deny" });
        var refused = await http.RequestDeviceTokenAsync(new DeviceTokenRequest { Address = disco.TokenEndpoint, ClientId = "tv", DeviceCode = device.DeviceCode! }, Ct);
        Assert.Equal("access_denied", refused.Error);
    }

    [Fact]
    public async Task End_session_returns_only_to_a_registered_address_and_ends_the_sign_in()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var disco = await oidc.DiscoverAsync();
        var browser = oidc.Browser();
        var (verifier, challenge) = OidcHost.Pkce();
        var redirect = await oidc.AuthorizeAsync(browser, OidcHost.AuthorizeUrl(disco, challenge));
        var tokens = await oidc.Backchannel().RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = "spa",
            Code = OidcHost.Query(redirect, "code"),
            RedirectUri = OidcHost.RedirectUri,
            CodeVerifier = verifier,
        }, Ct);

        var foreign = new RequestUrl(disco.EndSessionEndpoint!).CreateEndSessionUrl(idTokenHint: tokens.IdentityToken, postLogoutRedirectUri: "https://evil.example/");
        var refused = await browser.GetAsync(foreign, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);

        var logout = new RequestUrl(disco.EndSessionEndpoint!).CreateEndSessionUrl(idTokenHint: tokens.IdentityToken, postLogoutRedirectUri: OidcHost.PostLogoutUri, state: "bye");
        var signedOut = await browser.GetAsync(logout, Ct);
        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.StartsWith(OidcHost.PostLogoutUri, signedOut.Headers.Location!.ToString());
        Assert.Equal("bye", OidcHost.Query(signedOut.Headers.Location!, "state"));

        var silent = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge) + "&prompt=none", Ct);
        Assert.Equal("login_required", OidcHost.Query(silent.Headers.Location!, "error"));
    }
}
