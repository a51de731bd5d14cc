using System.Net;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.TenantScreens;

namespace Modular.Admin.Tests;

/// <summary>The identity module's "Sign-ups" page (issue 16): operators see who signed up, and may activate a pending tenant.</summary>
public sealed partial class SignUpsConsoleTests(SignUpsConsoleTests.SignedUp console) : IClassFixture<SignUpsConsoleTests.SignedUp>
{
    private static readonly string UserReader = TestSignIn.Describe("support", ["platform.admin", "identity.users.read", "tenants.read", "tenants.manage"]);

    [Fact]
    public async Task An_operator_finds_a_pending_sign_up_and_activates_its_tenant()
    {
        await using var admin = await console.OpenAsync(UserReader);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Sign-ups");

        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, IdentityRoutes.ConsoleSignUps).ToString());
        await Expect(page).ToHaveTitleAsync("Sign-ups · Modular admin");
        var row = page.GetByTestId("sign-up-table").Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Hooli XYZ");
        await Expect(row).ToContainTextAsync("hooli-xyz");
        await Expect(row).ToContainTextAsync(SignedUp.Founder);
        await Expect(row.GetByTestId("sign-up-status")).ToHaveTextAsync("Pending");

        // The organisation's page: pending activation, and an operator may vouch for it.
        await row.GetByRole(AriaRole.Link, new() { Name = "Hooli XYZ" }).ClickAsync();
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.PendingActivation);
        await page.GetByTestId("activate-tenant").ClickAsync();
        await DialogButton(page, "Activate").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Active);
        await Expect(page.GetByTestId("activate-tenant")).ToHaveCountAsync(0);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.activated", "tenant.created"]);

        // The sign-up is no longer pending once the identity module has seen the tenant activated (after the commit).
        await Eventually.HoldsAsync(async () =>
        {
            await using var scope = console.Host.Services.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<ISender>().Send(new ListSignUps(Pending: false))).Total == 1;
        }, "the sign-up is marked activated");
        await admin.GotoAsync(IdentityRoutes.ConsoleSignUps);
        await Expect(page.GetByTestId("sign-up-table").Locator("tbody tr").GetByTestId("sign-up-status")).ToHaveTextAsync("Active");

        // Narrowed by status: none is pending now.
        await page.GetByTestId("sign-up-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Pending", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("sign-up-status")).ToHaveCountAsync(0);
        await page.GetByTestId("sign-up-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Active", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("sign-up-status")).ToHaveTextAsync("Active");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_operator_without_identity_users_read_sees_no_sign_ups()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        await admin.GotoAsync(IdentityRoutes.ConsoleSignUps);

        await Expect(admin.Page.GetByTestId("sign-ups-forbidden")).ToBeVisibleAsync();
        await Expect(admin.Page.GetByTestId("sign-up-table")).ToHaveCountAsync(0);
        await Expect(admin.Page.Locator("body")).Not.ToContainTextAsync(SignedUp.Founder);
        Assert.Empty(admin.Errors);
    }

    /// <summary>The console of a platform with sign-up open, after one visitor signed up (and did not confirm yet).</summary>
    public sealed partial class SignedUp : AdminConsoleFixture
    {
        public const string Founder = "gavin@hooli.example";

        protected override ModularHost CreateHost() => ModularHost.OnSqlite(new Dictionary<string, string?> { ["Identity:SignUp:Mode"] = "open" });

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            if (!File.Exists(ChromiumPath))
            {
                return;
            }

            using var browser = Host.CreateClient(); // keeps the antiforgery cookie between the two requests
            var form = await browser.GetStringAsync(IdentityRoutes.SignUp);
            var token = WebUtility.HtmlDecode(TokenPattern().Match(form).Groups[1].Value);
            using var response = await browser.PostAsync(IdentityRoutes.SignUp, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["organization"] = "Hooli XYZ",
                ["email"] = Founder,
                ["password"] = "correct-Horse-battery-9",
                ["confirmPassword"] = "correct-Horse-battery-9",
            }));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Signing up answered {(int)response.StatusCode}");
            }
        }

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex TokenPattern();
    }
}
