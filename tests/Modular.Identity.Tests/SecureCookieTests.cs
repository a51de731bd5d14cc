using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Net.Http.Headers;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// On a production host every cookie is <c>Secure</c> (a browser never sends it over plain HTTP, where anyone on
/// the path reads it) and <c>HttpOnly</c> (no script reads it), and the session cookies keep a <c>SameSite</c>:
/// the sign-in pages' (antiforgery, login, both two-factor steps) and the admin console's (its OpenID client's
/// correlation cookie and its session).
/// </summary>
public sealed class SecureCookieTests(PostgresServer postgres)
{
    private const string Origin = "https://id.example";
    private const string Operator = "ops@example.com";
    private const string OperatorPassword = "operator-Passw0rd-1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sign_in_pages_cookies_are_secure_http_only_and_same_site()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, new() { ["Https:Required"] = "true" });
        var key = await TurnOnTwoFactorAsync(oidc, "alice@example.com");
        var browser = Browser(oidc.Host);
        var cookies = new List<SetCookieHeaderValue>();

        var form = await browser.GetAsync(IdentityRoutes.Login, Ct);
        var firstStep = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "alice@example.com", OidcHost.Password);
        Assert.Equal(HttpStatusCode.Redirect, firstStep.StatusCode);
        var secondStep = await AccountFlows.PostAsync(browser, firstStep.Headers.Location!.OriginalString, IdentityRoutes.LoginTwoFactor,
            ("code", AccountFlows.Totp(key)), ("rememberBrowser", "true"), ("returnUrl", "/"));
        Assert.Equal(HttpStatusCode.Redirect, secondStep.StatusCode);
        cookies.AddRange([.. SetCookies(form), .. SetCookies(firstStep), .. SetCookies(secondStep)]);

        Assert.Contains(cookies, cookie => cookie.Name.Value!.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains(cookies, cookie => cookie.Name == "Identity.TwoFactorUserId");
        Assert.Contains(cookies, cookie => cookie.Name == "Identity.TwoFactorRememberMe");
        Assert.Contains(cookies, cookie => cookie.Name == "modular.login");
        AssertProtected(cookies);
    }

    [Fact]
    public async Task The_admin_consoles_cookies_are_secure_http_only_and_same_site()
    {
        await using var host = (await ModularHost.OnPostgresAsync(postgres, new Dictionary<string, string?>
        {
            ["Https:Required"] = "true",
            ["AdminConsole:Authority"] = Origin,
            ["Identity:SeedAdmin:Email"] = Operator,
            ["Identity:SeedAdmin:Password"] = OperatorPassword,
        })).WithRealSignIn();
        // The console's OpenID client reaches the provider (this same host) through the in-memory server.
        host.WithServices(services => services.PostConfigureAll<HttpClientFactoryOptions>(options =>
            options.HttpMessageHandlerBuilderActions.Add(handler => handler.PrimaryHandler = host.Server.CreateHandler())));
        var browser = Browser(host);
        var cookies = new List<SetCookieHeaderValue>();

        var challenge = await browser.GetAsync("/admin/signin?returnUrl=%2Fadmin", Ct);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var toLogin = await browser.GetAsync(challenge.Headers.Location, Ct);
        var login = toLogin.Headers.Location!;
        var signedIn = await OidcHost.SignInAsync(browser, login.IsAbsoluteUri ? login.PathAndQuery : login.OriginalString, Operator, OperatorPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var withCode = await browser.GetAsync(signedIn.Headers.Location, Ct);
        Assert.StartsWith(Origin + "/admin/signin-oidc?", withCode.Headers.Location?.ToString());
        var back = await browser.GetAsync(withCode.Headers.Location, Ct);
        Assert.Equal("/admin", back.Headers.Location?.OriginalString);
        cookies.AddRange([.. SetCookies(challenge), .. SetCookies(back)]);

        Assert.Contains(cookies, cookie => cookie.Name == "modular.admin");
        Assert.Contains(cookies, cookie => cookie.Name != "modular.admin"); // the OpenID client's correlation cookie
        AssertProtected(cookies);
    }

    /// <summary>
    /// Secure and HttpOnly, every one; SameSite Lax or Strict, but for the OpenID client's correlation cookie, which
    /// must come back on the provider's cross-site redirect (SameSite=None, which browsers take only when Secure).
    /// </summary>
    private static void AssertProtected(List<SetCookieHeaderValue> cookies)
    {
        Assert.All(cookies, cookie =>
        {
            Assert.True(cookie.Secure, $"{cookie.Name} is not Secure: {cookie}");
            Assert.True(cookie.HttpOnly, $"{cookie.Name} is not HttpOnly: {cookie}");
            Assert.True(cookie.SameSite is SameSiteMode.Lax or SameSiteMode.Strict || cookie.Name.Value!.Contains("OpenIddict", StringComparison.Ordinal),
                $"{cookie.Name} has no SameSite: {cookie}");
        });
    }

    /// <summary>A browser on the host's public HTTPS address: keeps cookies, follows no redirect.</summary>
    private static HttpClient Browser(ModularHost host) => host.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri(Origin),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    private static async Task<string> TurnOnTwoFactorAsync(OidcHost oidc, string email)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException(email);
        await users.ResetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        return (await users.GetAuthenticatorKeyAsync(user))!;
    }

    private static IEnumerable<SetCookieHeaderValue> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HeaderNames.SetCookie, out var values) ? SetCookieHeaderValue.ParseList([.. values]) : [];
}
