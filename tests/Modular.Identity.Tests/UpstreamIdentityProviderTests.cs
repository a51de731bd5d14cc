using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Modular.Identity.Tests;

/// <summary>
/// The upstream identity provider the federation tests sign in through is what they rely on: a provider whose
/// discovery, registration, login form, claims and deliberate faults behave as <see cref="UpstreamIdentityProvider"/>
/// says. No host: the provider is driven with a plain HttpClient, as a client and a browser would.
/// </summary>
public sealed partial class UpstreamIdentityProviderTests(UpstreamIdentityProvider upstream) : IClassFixture<UpstreamIdentityProvider>
{
    private static readonly Uri RedirectUri = new("http://localhost:5999/account/external/callback");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Discovery_names_the_issuer_the_fixture_reports()
    {
        using var http = new HttpClient();
        var discovery = await DiscoveryAsync(http, upstream.Issuer);

        Assert.Equal(upstream.Issuer, new Uri(discovery.GetProperty("issuer").GetString()!));
        Assert.Equal("/", upstream.Issuer.AbsolutePath);
    }

    [Fact]
    public async Task Lying_discovery_names_another_issuer_until_it_is_turned_off()
    {
        using var http = new HttpClient();
        await upstream.SetLyingDiscoveryAsync(true);
        try
        {
            var lying = await DiscoveryAsync(http, upstream.Issuer);
            Assert.NotEqual(upstream.Issuer, new Uri(lying.GetProperty("issuer").GetString()!));
            Assert.Equal(new Uri(upstream.Issuer, "token"), new Uri(lying.GetProperty("token_endpoint").GetString()!));
        }
        finally
        {
            await upstream.SetLyingDiscoveryAsync(false);
        }

        Assert.Equal(upstream.Issuer, new Uri((await DiscoveryAsync(http, upstream.Issuer)).GetProperty("issuer").GetString()!));
    }

    [Fact]
    public async Task The_huge_issuer_sends_a_well_formed_discovery_document_of_more_than_4_MiB()
    {
        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(new Uri(upstream.HugeIssuer, ".well-known/openid-configuration"), Ct);

        Assert.True(body.Length > 4 * 1024 * 1024, $"{body.Length} bytes");
        Assert.Equal(upstream.HugeIssuer, new Uri(JsonDocument.Parse(body).RootElement.GetProperty("issuer").GetString()!));
    }

    [Fact]
    public async Task A_client_registers_itself_and_gets_an_id_and_a_secret()
    {
        var (clientId, clientSecret) = await upstream.RegisterClientAsync(RedirectUri, Ct);
        var (otherId, _) = await upstream.RegisterClientAsync(RedirectUri, Ct);

        Assert.False(string.IsNullOrEmpty(clientId));
        Assert.True(clientSecret.Length >= 32, "a client secret worth the name");
        Assert.NotEqual(clientId, otherId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-the-initial-access-token")]
    public async Task Registration_without_the_initial_access_token_is_refused(string? authorization)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(upstream.Issuer, "reg"))
        {
            Content = JsonContent.Create(new { redirect_uris = new[] { RedirectUri.AbsoluteUri } }),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_code_flow_shows_only_the_login_form_and_the_account_gets_the_claims_the_test_set()
    {
        var login = "alice-" + Guid.NewGuid().ToString("N")[..8];
        await upstream.SetAccountAsync(login, "alice@acme.test", emailVerified: true, name: "Alice", groups: ["engineering", "admins"]);

        var flow = await SignInAsync(login);
        var idToken = await ValidateAsync(flow);

        Assert.Equal(login, idToken.Subject);
        Assert.Equal(flow.Nonce, idToken.GetClaim("nonce").Value);
        using var http = new HttpClient();
        var userInfo = await http.GetUserInfoAsync(new UserInfoRequest { Address = new Uri(upstream.Issuer, "me").AbsoluteUri, Token = flow.Tokens.AccessToken }, Ct);
        Assert.False(userInfo.IsError, userInfo.Error);
        Assert.Equal("alice@acme.test", userInfo.Json!.Value.GetProperty("email").GetString());
        Assert.True(userInfo.Json!.Value.GetProperty("email_verified").GetBoolean());
        Assert.Equal("Alice", userInfo.Json!.Value.GetProperty("name").GetString());
        Assert.Equal(["engineering", "admins"], userInfo.Json!.Value.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
    }

    [Fact]
    public async Task A_login_the_test_did_not_set_gets_itself_as_an_unverified_email()
    {
        var flow = await SignInAsync("stranger@elsewhere.test");
        using var http = new HttpClient();
        var userInfo = await http.GetUserInfoAsync(new UserInfoRequest { Address = new Uri(upstream.Issuer, "me").AbsoluteUri, Token = flow.Tokens.AccessToken }, Ct);

        Assert.Equal("stranger@elsewhere.test", userInfo.Json!.Value.GetProperty("email").GetString());
        Assert.False(userInfo.Json!.Value.GetProperty("email_verified").GetBoolean());
    }

    [Theory]
    [InlineData(UpstreamTamper.Issuer, typeof(SecurityTokenInvalidIssuerException))]
    [InlineData(UpstreamTamper.Audience, typeof(SecurityTokenInvalidAudienceException))]
    [InlineData(UpstreamTamper.Expired, typeof(SecurityTokenExpiredException))]
    public async Task A_tampered_id_token_is_still_signed_by_the_provider_and_fails_for_the_one_claim_changed(UpstreamTamper mode, Type failure)
    {
        await upstream.SetTamperAsync(mode);
        try
        {
            var flow = await SignInAsync("bob");
            var exception = await Assert.ThrowsAnyAsync<SecurityTokenException>(() => ValidateAsync(flow));
            Assert.IsType(failure, exception);
        }
        finally
        {
            await upstream.SetTamperAsync(UpstreamTamper.None);
        }
    }

    [Fact]
    public async Task A_tampered_nonce_leaves_a_valid_id_token_with_another_nonce()
    {
        await upstream.SetTamperAsync(UpstreamTamper.Nonce);
        try
        {
            var flow = await SignInAsync("carol");
            var idToken = await ValidateAsync(flow);
            Assert.NotEqual(flow.Nonce, idToken.GetClaim("nonce").Value);
        }
        finally
        {
            await upstream.SetTamperAsync(UpstreamTamper.None);
        }
    }

    [Fact]
    public async Task Cancel_on_the_login_form_returns_access_denied_to_the_client()
    {
        var (clientId, _) = await upstream.RegisterClientAsync(RedirectUri, Ct);
        using var browser = Browser();
        var form = await OpenLoginFormAsync(browser, clientId, OidcHost.Pkce().Challenge, "nonce-1");

        var callback = await FollowToCallbackAsync(browser, new Uri(form.Uri, CancelLink().Match(form.Html).Groups[1].Value));

        Assert.Contains("error=access_denied", callback.Query, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> DiscoveryAsync(HttpClient http, Uri issuer) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri(issuer, ".well-known/openid-configuration"), Ct);

    private async Task<JsonWebToken> ValidateAsync(CodeFlow flow)
    {
        using var http = new HttpClient();
        var keys = new JsonWebKeySet(await http.GetStringAsync(new Uri(upstream.Issuer, "jwks"), Ct));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(flow.Tokens.IdentityToken, new TokenValidationParameters
        {
            ValidIssuer = upstream.Issuer.GetLeftPart(UriPartial.Authority),
            ValidAudience = flow.ClientId,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ClockSkew = TimeSpan.FromMinutes(1),
        });
        return result.IsValid ? (JsonWebToken)result.SecurityToken : throw result.Exception;
    }

    /// <summary>A registered client's code flow with PKCE, signing in as <paramref name="login"/> on the login form.</summary>
    private async Task<CodeFlow> SignInAsync(string login)
    {
        var (clientId, clientSecret) = await upstream.RegisterClientAsync(RedirectUri, Ct);
        var (verifier, challenge) = OidcHost.Pkce();
        var nonce = Guid.NewGuid().ToString("N");
        using var browser = Browser();
        var form = await OpenLoginFormAsync(browser, clientId, challenge, nonce);
        Assert.Contains("name=\"password\"", form.Html, StringComparison.Ordinal);
        Assert.Contains("login-submit", form.Html, StringComparison.Ordinal);

        var submitted = await browser.PostAsync(form.Uri, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["prompt"] = "login",
            ["login"] = login,
            ["password"] = "any password",
        }), Ct);
        var callback = await FollowToCallbackAsync(browser, Location(submitted));
        var code = Regex.Match(callback.Query, "[?&]code=([^&]+)").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(code), $"no code in {callback}");

        using var http = new HttpClient();
        var tokens = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = new Uri(upstream.Issuer, "token").AbsoluteUri,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Code = Uri.UnescapeDataString(code),
            RedirectUri = RedirectUri.AbsoluteUri,
            CodeVerifier = verifier,
        }, Ct);
        Assert.False(tokens.IsError, tokens.Error);
        return new CodeFlow(clientId, nonce, tokens);
    }

    /// <summary>Authorization request to the login page: the only page a browser sees, since consent is automatic.</summary>
    private async Task<(Uri Uri, string Html)> OpenLoginFormAsync(HttpClient browser, string clientId, string challenge, string nonce)
    {
        var authorize = new RequestUrl(new Uri(upstream.Issuer, "auth").AbsoluteUri).CreateAuthorizeUrl(
            clientId: clientId, responseType: "code", scope: "openid email profile groups", redirectUri: RedirectUri.AbsoluteUri,
            state: "state-1", nonce: nonce, codeChallenge: challenge, codeChallengeMethod: "S256");
        var interaction = Location(await browser.GetAsync(authorize, Ct));
        var page = await browser.GetAsync(interaction, Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains("name=\"login\"", html, StringComparison.Ordinal);
        return (interaction, html);
    }

    /// <summary>Follows the provider's redirects until one leaves it for the client's redirect URI.</summary>
    private async Task<Uri> FollowToCallbackAsync(HttpClient browser, Uri next)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            if (next.GetLeftPart(UriPartial.Path) == RedirectUri.AbsoluteUri)
            {
                return next;
            }

            next = Location(await browser.GetAsync(next, Ct));
        }

        throw new InvalidOperationException($"No redirect to {RedirectUri} within 10 hops (last: {next}).");
    }

    private Uri Location(HttpResponseMessage response)
    {
        Assert.True(response.Headers.Location is not null, $"expected a redirect, got {(int)response.StatusCode}");
        return new Uri(upstream.Issuer, response.Headers.Location);
    }

    private static HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

    [GeneratedRegex("<a href=\"([^\"]+/abort)\">\\[ Cancel \\]</a>")]
    private static partial Regex CancelLink();

    private sealed record CodeFlow(string ClientId, string Nonce, TokenResponse Tokens);
}
