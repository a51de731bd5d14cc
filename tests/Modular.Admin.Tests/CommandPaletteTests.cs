using Microsoft.Playwright;
using Modular.Features.Contracts;
using Modular.Identity.Contracts;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// The operators' command palette (Ctrl+K, "/", the app bar's search button) over the sweep's one of everything: it finds
/// each module's things through the modules' own searches and opens their pages.
/// </summary>
public sealed class CommandPaletteTests(ConsoleSweep sweep) : IClassFixture<ConsoleSweep>
{
    /// <summary>An operator who may also read meters, as the meters page (and so the palette's meters) requires.</summary>
    private static readonly string MeterReader = TestSignIn.Describe("palette-operator", ["platform.admin", MeteringPermissions.Read]);

    [Fact]
    public async Task Ctrl_K_finds_a_tenant_by_part_of_its_name_and_Enter_opens_its_page_and_the_open_palette_is_accessible()
    {
        await using var admin = await sweep.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await page.Context.AddInitScriptAsync(ConsoleSweepTests.AxeCore);
        await OpenPageAsync(admin, IdentityRoutes.ConsoleUsers);

        await page.Keyboard.PressAsync("Control+k");

        var input = page.GetByTestId("palette-input");
        await Expect(input).ToBeFocusedAsync(); // opened by the shortcut, ready to type in
        await page.Keyboard.TypeAsync("INDUSTR"); // part of "Sweep Industries", in another case
        var hit = page.GetByTestId("palette-hit");
        await Expect(hit).ToHaveCountAsync(1);
        await Expect(hit).ToContainTextAsync("Sweep Industries");
        await Expect(hit).ToHaveAttributeAsync("href", TenantsRoutes.ConsoleTenant(sweep.TenantId));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tenants", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("palette-status")).ToHaveTextAsync("1 match");

        var violations = await page.EvaluateAsync<string[]>(ConsoleSweepTests.RunAxe);
        Assert.True(violations.Length == 0, "axe, with the palette open:\n" + string.Join("\n", violations));

        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(new Uri(sweep.BaseAddress, TenantsRoutes.ConsoleTenant(sweep.TenantId)).ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sweep Industries" })).ToBeVisibleAsync();
        await Expect(input).ToHaveCountAsync(0);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Slash_opens_the_palette_which_finds_every_modules_things_and_a_click_opens_a_flag()
    {
        await using var admin = await sweep.OpenAsync(MeterReader);
        var page = admin.Page;
        await OpenPageAsync(admin, TenantsRoutes.ConsoleTenants);
        var input = page.GetByTestId("palette-input");

        // "/" typed into a field is text, not the shortcut.
        await page.GetByTestId("tenant-search").PressSequentiallyAsync("a/b");
        await Expect(page.GetByTestId("tenant-search")).ToHaveValueAsync("a/b");
        await Expect(input).ToHaveCountAsync(0);

        await page.Locator("h1").ClickAsync(); // out of the field
        await page.Keyboard.PressAsync("/");
        await Expect(input).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("sweep");

        var hits = page.GetByTestId("palette-hit");
        string[] expected =
        [
            TenantsRoutes.ConsoleTenant(sweep.TenantId),
            IdentityRoutes.ConsoleUser(sweep.UserId),
            FeaturesRoutes.ConsoleFlag("sweep.checkout"),
            MeteringRoutes.ConsoleMeters,
        ];
        foreach (var href in expected)
        {
            await Expect(hits.And(page.Locator($"[href='{href}']"))).ToHaveCountAsync(1);
        }

        await Expect(hits.Filter(new() { HasText = "hooks.sweep.example" })).ToHaveCountAsync(1); // the webhook endpoint, by its URL
        await Expect(hits.Filter(new() { HasText = "API calls" })).ToContainTextAsync("sweep-calls"); // the meter, by its key

        // The arrow keys move the highlight that Enter would open.
        await Expect(hits.First).ToHaveClassAsync("active");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(hits.Nth(1)).ToHaveClassAsync("active");
        await Expect(hits.First).Not.ToHaveClassAsync("active");

        await input.FillAsync("no-such-thing-anywhere");
        await Expect(page.GetByTestId("palette-status")).ToHaveTextAsync("No matches");
        await Expect(hits).ToHaveCountAsync(0);

        await page.Keyboard.PressAsync("Escape");
        await Expect(input).ToHaveCountAsync(0);

        // The app bar's button opens it too, empty; a click on a hit opens its page.
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(input).ToHaveValueAsync("");
        await Expect(input).ToBeFocusedAsync();
        await input.FillAsync("checkout");
        await hits.Filter(new() { HasText = "sweep.checkout" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(sweep.BaseAddress, FeaturesRoutes.ConsoleFlag("sweep.checkout")).ToString());
        await Expect(input).ToHaveCountAsync(0);
        Assert.Empty(admin.Errors);
    }

    /// <summary>Opens a page and waits until the palette's shortcuts listen (they attach after the circuit's first render).</summary>
    private static async Task OpenPageAsync(AdminPage admin, string path)
    {
        await admin.GotoAsync(path);
        await Expect(admin.Page.GetByTestId("palette-open")).ToHaveAttributeAsync("data-shortcuts", "on");
    }
}
