using System.Net;
using System.Text.RegularExpressions;
using Modular.Identity.Contracts;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>TOTP two-factor sign-in: set-up, the second step, recovery codes, "don't ask again on this browser".</summary>
public sealed partial class TwoFactorTests(PostgresServer postgres)
{
    private const string Alice = "alice@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Turning_on_an_authenticator_makes_sign_in_ask_for_its_code(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var (key, codes) = await EnableAsync(oidc);
        Assert.Equal(10, codes.Count);
        Assert.All(codes, code => Assert.Matches("^[A-Z0-9]{5}-[A-Z0-9]{5}$", code));

        var browser = oidc.Browser();
        var first = await OidcHost.SignInAsync(browser, $"{IdentityRoutes.Login}?returnUrl=%2Faccount%2Fmanage", Alice, OidcHost.Password);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var secondStep = first.Headers.Location!.OriginalString;
        Assert.StartsWith($"{IdentityRoutes.LoginTwoFactor}?", secondStep);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode); // not signed in yet

        var wrong = await AccountFlows.PostAsync(browser, secondStep, IdentityRoutes.LoginTwoFactor, ("code", AccountFlows.WrongTotp(key)), ("returnUrl", IdentityRoutes.Manage));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("That code is not valid.", await wrong.TextAsync());

        var right = await AccountFlows.PostAsync(browser, secondStep, IdentityRoutes.LoginTwoFactor, ("code", AccountFlows.Totp(key)), ("returnUrl", IdentityRoutes.Manage));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, right.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);
    }

    [Fact]
    public async Task An_openid_client_gets_its_code_after_both_sign_in_steps()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var (key, _) = await EnableAsync(oidc);
        var disco = await oidc.DiscoverAsync();
        var browser = oidc.Browser();

        var authorize = await browser.GetAsync(OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge), Ct);
        var login = authorize.Headers.Location!.PathAndQuery;
        var first = await OidcHost.SignInAsync(browser, login, Alice, OidcHost.Password);
        var secondStep = first.Headers.Location!.OriginalString;
        Assert.StartsWith($"{IdentityRoutes.LoginTwoFactor}?", secondStep);
        var returnUrl = OidcHost.Query(new Uri("http://localhost" + secondStep), "returnUrl");
        Assert.StartsWith("/connect/authorize?", returnUrl);

        var verified = await AccountFlows.PostAsync(browser, secondStep, IdentityRoutes.LoginTwoFactor, ("code", AccountFlows.Totp(key)), ("returnUrl", returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        var back = await browser.GetAsync(verified.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        Assert.StartsWith(OidcHost.RedirectUri, back.Headers.Location!.ToString());
        Assert.NotEmpty(OidcHost.Query(back.Headers.Location!, "code"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_recovery_code_signs_in_once(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var (_, codes) = await EnableAsync(oidc);

        var once = await SecondStepAsync(oidc.Browser(), codes[0].ToLowerInvariant().Replace("-", "")); // typed loosely
        Assert.Equal(HttpStatusCode.Redirect, once.StatusCode);

        var twice = await SecondStepAsync(oidc.Browser(), codes[0]);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);

        var browser = await SignedInWithSecondStepAsync(oidc, codes[1]);
        var page = await (await browser.GetAsync(IdentityRoutes.TwoFactor, Ct)).TextAsync();
        Assert.Contains("data-testid=\"recovery-codes-left\">8<", page);
    }

    [Fact]
    public async Task Guessing_codes_locks_the_account_like_guessing_passwords()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var (key, _) = await EnableAsync(oidc);
        var browser = oidc.Browser();
        var first = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, Alice, OidcHost.Password);
        var secondStep = first.Headers.Location!.OriginalString;

        // Five wrong codes, the lockout threshold, each refused: a count to the threshold, not a retry.
        foreach (var wrongCode in Enumerable.Range(1, 5))
        {
            var wrong = await AccountFlows.PostAsync(browser, secondStep, IdentityRoutes.LoginTwoFactor, ("code", AccountFlows.WrongTotp(key)), ("returnUrl", "/"));
            Assert.True(wrong.StatusCode == HttpStatusCode.BadRequest, $"wrong code {wrongCode} was not refused");
        }

        var right = await AccountFlows.PostAsync(browser, secondStep, IdentityRoutes.LoginTwoFactor, ("code", AccountFlows.Totp(key)), ("returnUrl", "/"));
        Assert.Equal(HttpStatusCode.BadRequest, right.StatusCode);
        Assert.Contains("locked", await right.TextAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, Alice, OidcHost.Password)).StatusCode);
    }

    [Fact]
    public async Task Dont_ask_again_on_this_browser_skips_the_second_step_there_only()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var (key, _) = await EnableAsync(oidc);

        var remembered = oidc.Browser();
        var first = await OidcHost.SignInAsync(remembered, IdentityRoutes.Login, Alice, OidcHost.Password);
        var verified = await AccountFlows.PostAsync(remembered, first.Headers.Location!.OriginalString, IdentityRoutes.LoginTwoFactor,
            ("code", AccountFlows.Totp(key)), ("rememberBrowser", "true"), ("returnUrl", "/"));
        Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountFlows.PostAsync(remembered, IdentityRoutes.Manage, IdentityRoutes.Logout)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await remembered.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode); // signed out

        var again = await OidcHost.SignInAsync(remembered, IdentityRoutes.Login, Alice, OidcHost.Password);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, again.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await remembered.GetAsync(IdentityRoutes.Manage, Ct)).StatusCode);

        var elsewhere = await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, Alice, OidcHost.Password);
        Assert.StartsWith(IdentityRoutes.LoginTwoFactor, elsewhere.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Turning_two_factor_off_signs_in_with_the_password_alone_again()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var (key, _) = await EnableAsync(oidc);
        var browser = await SignedInWithSecondStepAsync(oidc, AccountFlows.Totp(key));

        // A session alone is not enough: the password is asked again.
        foreach (var action in new[] { IdentityRoutes.DisableTwoFactor, IdentityRoutes.ResetAuthenticator })
        {
            var refused = await AccountFlows.PostAsync(browser, IdentityRoutes.TwoFactor, action, ("currentPassword", "not-it-Really-1"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("Your current password is not correct.", await refused.TextAsync());
        }

        Assert.StartsWith(IdentityRoutes.LoginTwoFactor, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, Alice, OidcHost.Password)).Headers.Location!.OriginalString);

        var off = await AccountFlows.PostAsync(browser, IdentityRoutes.TwoFactor, IdentityRoutes.DisableTwoFactor, ("currentPassword", OidcHost.Password));
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.Contains("Two-factor authentication is off.", await (await browser.GetAsync(off.Headers.Location, Ct)).TextAsync());

        var signedIn = await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, Alice, OidcHost.Password);
        Assert.Equal(IdentityRoutes.Manage, signedIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_second_step_needs_the_first_and_returns_only_to_local_paths()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var (key, _) = await EnableAsync(oidc);

        var skipped = await oidc.Browser().GetAsync(IdentityRoutes.LoginTwoFactor, Ct);
        Assert.Equal(HttpStatusCode.Redirect, skipped.StatusCode);
        Assert.StartsWith(IdentityRoutes.Login, skipped.Headers.Location!.OriginalString);

        var browser = oidc.Browser();
        var first = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, Alice, OidcHost.Password);
        var evil = await AccountFlows.PostAsync(browser, first.Headers.Location!.OriginalString, IdentityRoutes.LoginTwoFactor,
            ("code", AccountFlows.Totp(key)), ("returnUrl", "https://evil.example/"));
        Assert.Equal(HttpStatusCode.Redirect, evil.StatusCode);
        Assert.Equal(IdentityRoutes.Manage, evil.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_set_up_page_shows_the_key_as_text_link_and_qr_code_and_refuses_a_wrong_first_code()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var browser = await OidcHost.SignedInBrowserAsync(oidc);
        var page = await (await browser.GetAsync(IdentityRoutes.TwoFactor, Ct)).TextAsync();
        var key = SharedKey(page);

        var decoded = WebUtility.HtmlDecode(page);
        Assert.Contains($"otpauth://totp/Modular:alice%40example.com?secret={key}&issuer=Modular&digits=6", decoded);
        Assert.Matches("<img class=\"qr\" src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\"", decoded);

        foreach (var code in new[] { AccountFlows.WrongTotp(key), "", "abcdef", "1234567890123" })
        {
            var refused = await AccountFlows.PostAsync(browser, IdentityRoutes.TwoFactor, IdentityRoutes.EnableTwoFactor, ("code", code));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Equal(IdentityRoutes.Manage, (await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, Alice, OidcHost.Password)).Headers.Location!.OriginalString);
    }

    /// <summary>Alice turns on an authenticator through the pages; returns its key and the recovery codes shown once.</summary>
    private static async Task<(string Key, List<string> RecoveryCodes)> EnableAsync(OidcHost oidc)
    {
        var browser = await OidcHost.SignedInBrowserAsync(oidc);
        var key = SharedKey(await (await browser.GetAsync(IdentityRoutes.TwoFactor, Ct)).TextAsync());
        var enabled = await AccountFlows.PostAsync(browser, IdentityRoutes.TwoFactor, IdentityRoutes.EnableTwoFactor, ("code", AccountFlows.Totp(key)));
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Equal("no-store", enabled.Headers.CacheControl?.ToString());
        var codes = RecoveryCodePattern().Matches(await enabled.TextAsync()).Select(m => m.Groups[1].Value).ToList();
        return (key, codes);
    }

    private static async Task<HttpResponseMessage> SecondStepAsync(HttpClient browser, string code)
    {
        var first = await OidcHost.SignInAsync(browser, IdentityRoutes.Login, Alice, OidcHost.Password);
        Assert.StartsWith(IdentityRoutes.LoginTwoFactor, first.Headers.Location!.OriginalString);
        return await AccountFlows.PostAsync(browser, first.Headers.Location.OriginalString, IdentityRoutes.LoginTwoFactor, ("code", code), ("returnUrl", "/"));
    }

    private static async Task<HttpClient> SignedInWithSecondStepAsync(OidcHost oidc, string code)
    {
        var browser = oidc.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await SecondStepAsync(browser, code)).StatusCode);
        return browser;
    }

    private static string SharedKey(string page) =>
        SharedKeyPattern().Match(page).Groups[1].Value.Replace(" ", "").ToUpperInvariant();

    [GeneratedRegex("data-testid=\"shared-key\">([a-z0-9 ]+)<")]
    private static partial Regex SharedKeyPattern();

    [GeneratedRegex("<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>")]
    private static partial Regex RecoveryCodePattern();
}
