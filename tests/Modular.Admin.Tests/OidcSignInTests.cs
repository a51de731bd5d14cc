using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>The console with real sign-in: operators come in through the host's own OpenID provider.</summary>
public class OidcConsoleFixture : AdminConsoleFixture
{
    public const string AdminEmail = "ops@example.com";
    public const string AdminPassword = "browser-Test-passw0rd";
    public const string MemberEmail = "member@example.com";

    protected override ModularHost CreateHost() => ModularHost.OnSqlite(new Dictionary<string, string?>(Settings)
    {
        ["Identity:SeedAdmin:Email"] = AdminEmail,
        ["Identity:SeedAdmin:Password"] = AdminPassword,
    }).WithRealSignIn();

    /// <summary>More configuration of the host, for a fixture that needs it.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>The first sign-in runs the provider and the console's client for the first time (discovery, JIT).</summary>
    protected override async Task WarmUpAsync()
    {
        using var warmUp = Host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = BaseAddress });
        (await warmUp.GetAsync("/.well-known/openid-configuration")).EnsureSuccessStatusCode();
        await warmUp.GetAsync("/admin/signin?returnUrl=/admin");
        await warmUp.GetAsync(IdentityRoutes.Login);
    }
}

public sealed class OidcSignInTests(OidcConsoleFixture console) : IClassFixture<OidcConsoleFixture>
{
    [Fact]
    public async Task An_operator_signs_in_through_the_openid_provider_and_opens_the_users_page()
    {
        await using var admin = await console.OpenAsync(user: null);
        var page = admin.Page;

        await page.GotoAsync(IdentityRoutes.ConsoleUsers);
        // Sent through the console's sign-in to the provider's authorization endpoint and its login page.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityRoutes.Login + "\\?"));
        Assert.Contains(admin.Requests, url => url.Contains("/connect/authorize?client_id=modular-admin", StringComparison.Ordinal)
            && url.Contains("code_challenge_method=S256", StringComparison.Ordinal));

        await page.GetByLabel("User name or email").FillAsync(OidcConsoleFixture.AdminEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync(); // the email first: it may lead to an organisation's provider
        await page.GetByLabel("Password").FillAsync(OidcConsoleFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityRoutes.ConsoleUsers + "$"));
        Assert.Contains(admin.Requests, url => url.Contains("/admin/signin-oidc?code=", StringComparison.Ordinal));
        await admin.WaitUntilInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("user-table")).ToContainTextAsync(OidcConsoleFixture.AdminEmail);
        await Expect(page.GetByTestId("operator")).ToHaveTextAsync(OidcConsoleFixture.AdminEmail);

        // Signing out ends the console's session and the provider's: the console asks for a login again.
        // The sign-out's redirects end at the provider's login page, asked for by the console; only then is it done.
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityRoutes.Login + "\\?"));
        await page.GotoAsync(IdentityRoutes.ConsoleUsers);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityRoutes.Login + "\\?"));
        Assert.True(admin.Errors.Count == 0, string.Join(" | ", admin.Errors));
    }

    [Fact]
    public async Task The_providers_login_cookie_alone_does_not_open_the_console()
    {
        await using var admin = await console.OpenAsync(user: null);
        var page = admin.Page;

        // Signed in at the provider (its own login page), but never through the console's client.
        await page.GotoAsync(IdentityRoutes.Login);
        await page.GetByLabel("User name or email").FillAsync(OidcConsoleFixture.AdminEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync(); // the email first: it may lead to an organisation's provider
        await page.GetByLabel("Password").FillAsync(OidcConsoleFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var cookies = await page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "modular.login");
        Assert.DoesNotContain(cookies, c => c.Name == "modular.admin");

        // The console still goes through the provider (which, with a session, answers at once).
        var response = await page.GotoAsync("/admin");
        Assert.Equal(200, response?.Status);
        Assert.Contains(admin.Requests, url => url.Contains("/admin/signin-oidc?code=", StringComparison.Ordinal));
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == "modular.admin");
    }
}

public sealed class OidcSignInRefusalTests(OidcConsoleFixture console) : IClassFixture<OidcConsoleFixture>
{
    [Fact]
    public async Task A_user_without_the_platform_admin_permission_is_refused_after_signing_in()
    {
        await using (var scope = console.Host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Identity.Domain.User>>();
            var member = new Identity.Domain.User { UserName = OidcConsoleFixture.MemberEmail, Email = OidcConsoleFixture.MemberEmail, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(member, OidcConsoleFixture.AdminPassword)).Succeeded);
        }

        await using var admin = await console.OpenAsync(user: null);
        var page = admin.Page;
        await page.GotoAsync("/admin");
        await page.GetByLabel("User name or email").FillAsync(OidcConsoleFixture.MemberEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync(); // the email first: it may lead to an organisation's provider
        await page.GetByLabel("Password").FillAsync(OidcConsoleFixture.AdminPassword);
        var callback = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            response => response.Url.Contains("/admin/signin-oidc", StringComparison.Ordinal));

        Assert.Equal(403, callback.Status);
        await Expect(page.Locator("body")).ToContainTextAsync("platform-admin permission");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "modular.admin");
    }
}
