using Microsoft.Playwright;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// The console's frame for people: a drawer that gets out of a phone's way, messages that cover nothing that acts,
/// and HTML pages (not problem details JSON) when a page is missing or refused, while the API keeps problem details.
/// </summary>
public sealed class ConsoleFrameTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task On_a_phone_the_drawer_is_closed_opens_from_the_menu_button_and_closes_again()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin, 390, 844);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenants);
        var drawer = page.Locator(".mud-drawer");
        var menu = page.GetByTestId("menu");

        await Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed"));
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        var content = await page.Locator("main").BoundingBoxAsync();
        Assert.True(content is { X: < 1, Width: > 380 }, $"the page has the whole width, not what a drawer leaves: {content?.X}+{content?.Width}");

        await menu.ClickAsync();
        await Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--open"));
        await Expect(page.GetByTestId("admin-nav").GetByRole(AriaRole.Link, new() { Name = "Tenants", Exact = true })).ToBeVisibleAsync();

        // The drawer lies over the page with a scrim; touching the page beside it closes it.
        await page.Mouse.ClickAsync(380, 400);
        await Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed"));
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Messages_appear_away_from_the_app_bar_and_never_more_than_two_at_once()
    {
        await console.CreateFlagAsync(new { key = "frame.toasts", description = "Toasts", type = "release", owner = "console" });
        await using var admin = await console.OpenAsync(Users.PlatformAdmin, 1440, 900);
        var page = admin.Page;
        await admin.GotoAsync("/admin/features/frame.toasts");

        var save = page.GetByTestId("rollout-save");
        var toasts = page.Locator(".mud-snackbar");
        for (var i = 1; i <= 3; i++)
        {
            await save.ClickAsync();
            await Expect(toasts.First).ToBeVisibleAsync();
        }

        Assert.InRange(await toasts.CountAsync(), 1, 2);
        var bar = await page.GetByRole(AriaRole.Banner).BoundingBoxAsync();
        var signOut = await page.GetByTestId("sign-out").BoundingBoxAsync();
        foreach (var toast in await toasts.AllAsync())
        {
            var box = await toast.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Y > bar!.Y + bar.Height, $"a message at y={box.Y} covers the app bar (ends at {bar.Y + bar.Height})");
            Assert.False(Overlaps(box, signOut!), "a message covers the sign-out button");
        }

        Assert.Empty(admin.Errors);
    }

    [Theory]
    [InlineData("/admin/no-such-page")]
    [InlineData("/admin/tenants/not-a-guid")]
    public async Task A_missing_page_is_an_html_page_for_a_person_and_problem_details_for_a_program(string path)
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var response = await admin.Page.GotoAsync(path);

        Assert.Equal(404, response?.Status);
        Assert.StartsWith("text/html", response!.Headers["content-type"], StringComparison.Ordinal);
        await Expect(admin.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("This page does not exist");
        await Expect(admin.Page.GetByRole(AriaRole.Link, new() { Name = "Go to the admin console home page" })).ToHaveAttributeAsync("href", "/admin");

        // A program asking the same address (no browser navigation) still gets problem details.
        using var client = console.Host.CreateClientAs("program", "platform.admin");
        using var answer = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_api_answers_a_browser_with_problem_details_too()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var response = await admin.Page.GotoAsync("/api/v1/no-such-resource");

        Assert.Equal(404, response?.Status);
        Assert.StartsWith("application/problem+json", response!.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_user_who_is_no_operator_is_told_who_they_are_and_offered_a_sign_out()
    {
        await using var reader = await console.OpenAsync(Users.TenantReader);
        var response = await reader.Page.GotoAsync("/admin");

        Assert.Equal(403, response?.Status);
        var page = reader.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You may not open this page");
        await Expect(page.GetByTestId("signed-in-as")).ToContainTextAsync("reader");
        var signOut = page.GetByTestId("sign-out");
        await Expect(signOut).ToHaveAttributeAsync("action", Modular.Admin.SignIn.AdminSignIn.SignOutPath);
        await Expect(signOut.Locator("input[name=__RequestVerificationToken]")).ToHaveCountAsync(1);
        await Expect(signOut.GetByRole(AriaRole.Button)).ToContainTextAsync("another account");
    }

    [Fact]
    public async Task The_account_pages_refusal_is_an_html_page()
    {
        await using var visitor = await console.OpenAsync(user: null);
        var response = await visitor.Page.GotoAsync(Modular.Identity.Contracts.IdentityRoutes.AccessDenied);

        Assert.Equal(403, response?.Status);
        Assert.StartsWith("text/html", response!.Headers["content-type"], StringComparison.Ordinal);
        await Expect(visitor.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You may not open this page");
    }

    [Fact]
    public async Task The_theme_follows_the_system_and_a_chosen_one_is_remembered_by_the_browser()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await admin.GotoAsync("/admin");
        var toggle = page.GetByTestId("theme-toggle");

        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Use the light theme");
        Assert.True(await IsDarkAsync(page), "the system asks for dark, the console is light");

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Use the dark theme");
        Assert.False(await IsDarkAsync(page), "chose light, still dark");

        // A new document in the same browser keeps the choice over the system's preference.
        await admin.ReloadAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Use the dark theme");
        Assert.False(await IsDarkAsync(page), "the choice was forgotten");
        Assert.Empty(admin.Errors);
    }

    /// <summary>Whether the page's background is dark (the sum of its red, green and blue below half).</summary>
    private static Task<bool> IsDarkAsync(IPage page) => page.EvaluateAsync<bool>(
        "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).reduce((sum, c) => sum + Number(c), 0) < 383");

    private static bool Overlaps(LocatorBoundingBoxResult a, LocatorBoundingBoxResult b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;
}
