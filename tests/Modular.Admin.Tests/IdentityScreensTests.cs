using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>The identity module's console pages: clients (secret shown once) and a user's page (with their passkey count).</summary>
public sealed class IdentityScreensTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task An_operator_registers_a_client_sees_its_secret_once_and_disables_it()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(IdentityRoutes.ConsoleNewClient);

        await SubmitClientAsync(page, "reporting", "https://reports.example.com/callback", page.GetByTestId("client-secret"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityRoutes.ConsoleClient("reporting") + "$"));
        var secret = (await page.GetByTestId("client-secret").TextContentAsync())!.Trim();
        Assert.True(secret.Length >= 40, $"a generated secret, got '{secret}'");

        // Read back through the API: registered as entered, and the secret is nowhere in it.
        var api = console.Host.CreateClientAs("operator", IdentityPermissions.ClientsManage);
        var stored = await api.GetStringAsync(IdentityRoutes.Client("reporting"), TestContext.Current.CancellationToken);
        Assert.Contains("https://reports.example.com/callback", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);

        // The copy button puts exactly the secret on the clipboard.
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GetByTestId("copy-secret").ClickAsync();
        await Expect(page.GetByTestId("copy-secret")).ToHaveTextAsync("Copied");
        Assert.Equal(secret, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // Leaving before saying it is stored asks first; staying keeps it on the page.
        await page.GetByTestId("admin-nav").GetByRole(AriaRole.Link, new() { Name = "Tenants", Exact = true }).ClickAsync();
        var leave = page.GetByRole(AriaRole.Dialog);
        await Expect(leave).ToContainTextAsync("cannot be shown again");
        await leave.GetByRole(AriaRole.Button, new() { Name = "Stay", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(IdentityRoutes.ConsoleClient("reporting") + "$"));
        await Expect(page.GetByTestId("client-secret")).ToHaveTextAsync(secret);

        // Stored: the panel goes, and the page reopened shows no secret any more.
        await page.GetByTestId("secret-stored").ClickAsync();
        await Expect(page.GetByTestId("client-secret")).ToHaveCountAsync(0);
        await admin.ReloadAsync();
        await Expect(page.GetByTestId("client-secret")).ToHaveCountAsync(0);

        await page.GetByTestId("toggle-client").ClickAsync();
        await TenantScreens.DialogButton(page, "Disable").ClickAsync();
        await Expect(page.GetByTestId("client-disabled")).ToBeVisibleAsync();
        var client = await api.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client("reporting"), TestContext.Current.CancellationToken);
        Assert.False(client!.Enabled);

        // The list narrows to it by part of its id, in any case, and by its status.
        await admin.GotoAsync(IdentityRoutes.ConsoleClients);
        var rows = page.GetByTestId("client-table").Locator("tbody tr");
        await page.GetByTestId("client-search").FillAsync("REPORT");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("reporting");
        await page.GetByTestId("client-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Enabled", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("client-table")).ToContainTextAsync("No clients match the filters.");
        await page.GetByTestId("client-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Disabled", Exact = true }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_client_the_provider_would_refuse_is_not_saved_and_the_page_says_why()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(IdentityRoutes.ConsoleNewClient);

        await SubmitClientAsync(page, "sloppy", "http://not-loopback.example.com/cb", page.GetByTestId("client-errors").GetByText("redirectUris[0]"));
        var api = console.Host.CreateClientAs("operator", IdentityPermissions.ClientsManage);
        var response = await api.GetAsync(IdentityRoutes.Client("sloppy"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_operator_creates_an_account_confirms_its_address_and_mails_it_a_password_link()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(IdentityRoutes.ConsoleUsers);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("user-table")).ToContainTextAsync("No users match.");

        await page.GetByTestId("create-user").ClickAsync();
        var email = page.GetByTestId("new-user-email");
        await email.FillAsync("not an address");
        await page.GetByTestId("create-user-submit").ClickAsync();
        await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Enter a valid email address.");

        await email.FillAsync("robin@example.com");
        await page.GetByTestId("new-user-name").FillAsync("Robin");
        await page.GetByTestId("create-user-submit").ClickAsync();
        await Expect(page.GetByTestId("user-email")).ToHaveTextAsync("robin@example.com");
        await Expect(page.GetByTestId("user-unconfirmed")).ToBeVisibleAsync();

        await page.GetByTestId("confirm-email").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Confirm", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("confirm-email")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("user-unconfirmed")).ToHaveCountAsync(0);
        await page.GetByTestId("send-password-reset").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "A link to choose a password is on its way to robin@example.com" })).ToBeVisibleAsync();

        await using var scope = console.Host.Services.CreateAsyncScope();
        var robin = await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync("robin@example.com");
        Assert.Equal(("Robin", true, false), (robin!.DisplayName, robin.EmailConfirmed, robin.PasswordHash is not null));
        await Eventually.HoldsAsync(async () =>
        {
            await using var mailbox = console.Host.Services.CreateAsyncScope();
            var kinds = await mailbox.ServiceProvider.GetRequiredService<IdentityDbContext>().OutgoingEmails
                .Where(e => e.To == "robin@example.com").Select(e => e.Kind).ToListAsync(TestContext.Current.CancellationToken);
            return kinds.Count == 2 && kinds.All(kind => kind == "password-reset"); // the invitation and the reset asked for
        }, "two password links mailed to robin");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_client_credentials_client_is_offered_no_sign_in_scopes_and_only_the_permissions_its_operator_holds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var admin = await console.OpenAsync(TestSignIn.Describe("operator", ["platform.admin", IdentityPermissions.ClientsManage, TenantsPermissions.Read]));
        var page = admin.Page;
        await admin.GotoAsync(IdentityRoutes.ConsoleNewClient);
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "openid", Exact = true })).ToBeCheckedAsync(); // a user signs in: openid goes with it

        await page.GetByTestId("client-id").FillAsync("nightly-export");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "authorization_code", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "refresh_token", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "client_credentials", Exact = true }).ClickAsync();

        // No user signs in: the sign-in scopes are off and say why; the API scope stays on offer.
        await Expect(page.GetByTestId("sign-in-scopes-hint")).ToBeVisibleAsync();
        foreach (var scope in new[] { "openid", "profile", "email", "offline_access" })
        {
            await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = scope, Exact = true })).ToBeDisabledAsync();
            await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = scope, Exact = true })).Not.ToBeCheckedAsync();
        }

        // Only what the operator holds can be granted.
        var permissions = page.GetByTestId("client-permissions").GetByRole(AriaRole.Checkbox);
        await Expect(permissions).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("client-permissions")).ToContainTextAsync(TenantsPermissions.Read);
        await Expect(page.GetByTestId("client-permissions")).Not.ToContainTextAsync(IdentityPermissions.UsersManage);
        await page.GetByRole(AriaRole.Checkbox, new() { Name = TenantsPermissions.Read, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "api", Exact = true }).ClickAsync();
        await page.GetByTestId("save-client").ClickAsync();
        await Expect(page.GetByTestId("client-secret")).ToBeVisibleAsync();

        var api = console.Host.CreateClientAs("operator", IdentityPermissions.ClientsManage);
        var stored = (await api.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client("nightly-export"), ct))!.Client;
        Assert.Equal(["client_credentials"], stored.GrantTypes);
        Assert.Equal(["api"], stored.Scopes);
        Assert.Equal([TenantsPermissions.Read], stored.Permissions);
    }

    [Fact]
    public async Task A_missing_user_says_so()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;

        await admin.GotoAsync(IdentityRoutes.ConsoleUser(Guid.NewGuid()));
        await Expect(page.GetByTestId("user-missing")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_users_page_shows_how_many_passkeys_they_have()
    {
        Guid id;
        await using (var scope = console.Host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var quinn = new User { UserName = "quinn@example.com", Email = "quinn@example.com", EmailConfirmed = true, DisplayName = "Quinn", CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(quinn)).Succeeded);
            id = quinn.Id;
            var passkey = new UserPasskeyInfo([7, 7, 7], [9], DateTimeOffset.UtcNow, signCount: 0, ["internal"],
                isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [1], clientDataJson: [2]);
            Assert.True((await users.AddOrUpdatePasskeyAsync(quinn, passkey)).Succeeded);
        }

        try
        {
            await using var admin = await console.OpenAsync(Users.PlatformAdmin);
            await admin.GotoAsync(IdentityRoutes.ConsoleUser(id));
            await Expect(admin.Page.GetByTestId("passkey-count")).ToHaveTextAsync("1");
        }
        finally
        {
            // The account-creation test of this class starts from an empty list, whichever runs first.
            await using var scope = console.Host.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            await users.DeleteAsync((await users.FindByIdAsync(id.ToString()))!);
        }
    }

    /// <summary>Fills the new-client form, saves it, and waits until <paramref name="outcome"/> shows.</summary>
    private static async Task SubmitClientAsync(IPage page, string clientId, string redirectUri, ILocator outcome)
    {
        await page.GetByTestId("client-id").FillAsync(clientId);
        await page.GetByTestId("client-redirect-uris").FillAsync(redirectUri);
        await page.GetByTestId("save-client").ClickAsync();
        await Expect(outcome).ToBeVisibleAsync();
    }
}
