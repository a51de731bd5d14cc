using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// Passkeys end to end in Chromium, with the Chrome DevTools Protocol's virtual authenticator standing in for the
/// device (a platform authenticator that holds discoverable credentials and verifies its user): registered on the
/// account page, used to sign in without a password, removed.
/// </summary>
public sealed class PasskeyTests(PasskeyTests.OnLocalhost console) : IClassFixture<PasskeyTests.OnLocalhost>
{
    private const string Password = "correct-Horse-battery-9";

    [Fact]
    public async Task A_user_adds_a_passkey_signs_in_with_it_alone_and_removes_it()
    {
        const string email = "pat@example.com";
        await CreateUserAsync(email);
        await using var browser = await console.OpenAsync(user: null);
        var page = browser.Page;
        var (cdp, authenticator) = await AddVirtualAuthenticatorAsync(page);

        // Signed in with the password once, Pat adds a passkey: the button shows only once passkeys.js is ready.
        await page.GotoAsync($"{IdentityRoutes.Login}?returnUrl={Uri.EscapeDataString(IdentityRoutes.Passkeys)}");
        await page.GetByLabel("User name or email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync(); // the email first: it may lead to an organisation's provider
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Passkeys) + "$"));
        await Expect(page.GetByTestId("no-passkeys")).ToBeVisibleAsync();
        await page.GetByLabel("Name (optional)").FillAsync("Pat's laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Passkeys) + "\\?done=added$"));
        await Expect(page.GetByTestId("passkey-name")).ToHaveTextAsync("Pat's laptop");
        Assert.Single(await CredentialsAsync(cdp, authenticator));
        Assert.True(browser.Errors.Count == 0, string.Join(" | ", browser.Errors));

        // Signed out, Pat opens the account page again and signs in with the passkey: no name, no password typed.
        await page.GotoAsync(IdentityRoutes.Manage);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Manage)));
        await page.GotoAsync(IdentityRoutes.Manage);
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Login) + "\\?"));

        // While the account is locked, the passkey opens nothing: the signature checks out, the lockout still holds.
        await SetLockedAsync(email, locked: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use a passkey" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That passkey did not sign you in");
        await SetLockedAsync(email, locked: false);

        await page.GetByRole(AriaRole.Button, new() { Name = "Use a passkey" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Manage) + "$"));
        await Expect(page.GetByTestId("account-email")).ToHaveTextAsync(email);

        // And removes it (Pat still has a password, so it is not the last way in).
        await page.GotoAsync(IdentityRoutes.Passkeys);
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove Pat's laptop" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Passkeys) + "\\?done=removed$"));
        await Expect(page.GetByTestId("no-passkeys")).ToBeVisibleAsync();
        await using var scope = console.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        Assert.Empty(await users.GetPasskeysAsync((await users.FindByEmailAsync(email))!));
    }

    /// <summary>A virtual authenticator on <paramref name="page"/>'s target: a device with a screen lock that answers at once.</summary>
    private static async Task<(ICDPSession Cdp, string Id)> AddVirtualAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new() { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new()
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return (cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    private static async Task<List<JsonElement>> CredentialsAsync(ICDPSession cdp, string authenticator)
    {
        var answer = await cdp.SendAsync("WebAuthn.getCredentials", new() { ["authenticatorId"] = authenticator });
        return [.. answer!.Value.GetProperty("credentials").EnumerateArray()];
    }

    private async Task SetLockedAsync(string email, bool locked)
    {
        await using var scope = console.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        Assert.True((await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(email))!, locked ? DateTimeOffset.UtcNow.AddHours(1) : null)).Succeeded);
    }

    private async Task CreateUserAsync(string email)
    {
        await using var scope = console.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var created = await users.CreateAsync(
            new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Pat", CreatedAt = DateTimeOffset.UtcNow }, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
    }

    /// <summary>The real sign-in, browsed at <c>http://localhost:port</c>: WebAuthn refuses an IP address as the site.</summary>
    public sealed class OnLocalhost : OidcConsoleFixture
    {
        protected override string BrowserHostName => "localhost";
    }
}
