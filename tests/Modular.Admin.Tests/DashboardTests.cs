using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

public sealed class DashboardTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task A_platform_admin_sees_the_dashboard_with_modules_health_and_navigation()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;

        var response = await admin.GotoAsync("/admin");
        Assert.Equal(200, response?.Status);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Dashboard · Modular admin");

        var tenantsModule = page.GetByTestId("modules").Locator("tr", new() { HasText = "Tenants" });
        await Expect(tenantsModule).ToHaveCountAsync(1);
        await Expect(tenantsModule).ToContainTextAsync("enabled");

        var health = page.GetByTestId("health");
        await Expect(health.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Health: Healthy");
        await Expect(health).Not.ToContainTextAsync("Unhealthy");

        var nav = page.GetByTestId("admin-nav");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToHaveAttributeAsync("href", "/admin");
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Tenants", Exact = true })).ToHaveAttributeAsync("href", TenantsRoutes.ConsoleTenants);

        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_operator_who_may_not_read_usage_sees_no_usage_figures_on_the_dashboard()
    {
        await using var admin = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("no-usage-operator", ["platform.admin"]));
        var page = admin.Page;

        await admin.GotoAsync("/admin");

        var usage = page.GetByTestId("dashboard-usage");
        await Expect(usage.GetByTestId("usage-forbidden")).ToHaveTextAsync($"Usage needs the {Modular.Metering.Contracts.MeteringPermissions.Read} permission.");
        await Expect(usage.GetByTestId("usage-trend")).ToHaveCountAsync(0);
        await Expect(usage.GetByTestId("usage-invalid")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("health").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Health: Healthy"); // the rest is there
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_dashboard_says_what_an_operator_checks_each_morning_each_figure_leading_to_its_page()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tenants = new TenantsApi(console);
        await tenants.CreateAsync("dash-active", "Dash Active");
        var suspended = await tenants.CreateAsync("dash-suspended", "Dash Suspended");
        await tenants.SuspendAsync(suspended.Id, "unpaid invoices");
        var leaving = await tenants.CreateAsync("dash-leaving", "Dash Leaving");
        using var operatorApi = console.Host.CreateClientAs("seed", TenantsPermissions.Manage, IdentityPermissions.UsersManage);
        Assert.Equal(HttpStatusCode.Accepted, (await operatorApi.DeleteAsync(TenantsRoutes.Tenant(leaving.Id), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await operatorApi.PostAsJsonAsync(IdentityRoutes.Users, new { email = "dash@example.com", invite = false }, ct)).StatusCode);

        // An operator who may read usage too, as the usage figures require.
        await using var admin = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("morning-operator", ["platform.admin", Modular.Metering.Contracts.MeteringPermissions.Read]));
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        var counts = page.GetByTestId("dashboard-tenants");
        await Expect(counts.Locator("[data-testid=tenant-count][data-status=Active] td")).ToHaveTextAsync("1");
        await Expect(counts.Locator("[data-testid=tenant-count][data-status=Suspended] td")).ToHaveTextAsync("1");
        await Expect(counts.Locator("[data-testid=tenant-count][data-status=PendingDeletion] td")).ToHaveTextAsync("1");
        await Expect(counts.GetByTestId("recent-audit").First).ToContainTextAsync("Dash Leaving"); // the newest: its deletion
        await Expect(page.GetByTestId("dashboard-users").GetByTestId("users-total").Locator("td")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("dashboard-users").GetByTestId("users-unconfirmed").Locator("td")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("dashboard-webhooks").GetByTestId("webhooks-failed").Locator("td")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("dashboard-usage").GetByTestId("usage-trend")).ToContainTextAsync("0 events received in 14 days");
        await Expect(page.GetByTestId("outbox-backlog").Locator("[data-testid=outbox-module][data-module=tenants]")).ToHaveCountAsync(1);

        // A figure leads to what it counts.
        await counts.GetByRole(AriaRole.Link, new() { Name = "Suspended", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, TenantsRoutes.ConsoleTenants + "?status=Suspended").ToString());
        await Expect(TenantScreens.Slugs(page)).ToHaveTextAsync(["dash-suspended"]);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_dashboard_is_styled_by_MudBlazor_and_the_browser_reports_no_errors()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        var assets = new List<IResponse>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("/_content/", StringComparison.Ordinal) || response.Url.Contains("/_framework/", StringComparison.Ordinal))
            {
                assets.Add(response);
            }
        };

        await admin.GotoAsync("/admin");
        await Expect(page.GetByTestId("health")).ToContainTextAsync("Healthy");
        await Expect(page.GetByTestId("palette-open")).ToHaveAttributeAsync("data-shortcuts", "on"); // its script has loaded

        // MudBlazor's stylesheet and script, Blazor's script and the console's own two files are all served.
        Assert.Equal(
            ["/_content/Modular.Admin/command-palette.js", "/_content/Modular.Admin/console.css", "/_content/MudBlazor/MudBlazor.min.css", "/_content/MudBlazor/MudBlazor.min.js", "/_framework/blazor.web.js"],
            assets.Select(r => new Uri(r.Url).AbsolutePath).Order(StringComparer.Ordinal));
        Assert.All(assets, r => Assert.Equal(200, r.Status));

        // Styled, not bare HTML: the app bar is a fixed, coloured bar and the drawer sits beside the content.
        var appBar = page.GetByRole(AriaRole.Banner);
        Assert.Equal("fixed", await appBar.EvaluateAsync<string>("e => getComputedStyle(e).position"));
        Assert.NotEqual("rgba(0, 0, 0, 0)", await appBar.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        var nav = await page.GetByTestId("admin-nav").BoundingBoxAsync();
        var modules = await page.GetByTestId("modules").BoundingBoxAsync();
        Assert.NotNull(nav);
        Assert.NotNull(modules);
        Assert.True(modules.X >= nav.X + nav.Width, $"the modules panel (x={modules.X}) should sit right of the nav drawer (ends at x={nav.X + nav.Width})");

        var screenshot = Path.Combine(Path.GetTempPath(), "modular-admin-dashboard.png");
        await page.ScreenshotAsync(new() { Path = screenshot });
        TestContext.Current.TestOutputHelper?.WriteLine($"Dashboard screenshot: {screenshot}");

        // Includes Content-Security-Policy violations, which Chromium reports as console errors.
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task After_a_reload_the_page_counts_as_interactive_only_once_its_own_circuit_is()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        // The reloaded document's circuit cannot start while its negotiation is held back.
        var negotiation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/_blazor/negotiate**", async route =>
        {
            await negotiation.Task;
            await route.ContinueAsync();
        });
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync(); // prerendered

        var interactive = admin.WaitUntilInteractiveAsync();
        Assert.False(interactive.IsCompleted, "the wait answered for the document before the reload: this one has no circuit yet");
        negotiation.SetResult();
        await interactive;
        await admin.FollowMenuLinkAsync("Tenants");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tenants", Exact = true })).ToBeVisibleAsync();
        Assert.Empty(admin.Errors);
    }

    [Theory]
    [InlineData("/admin", "Dashboard")]
    [InlineData(TenantsRoutes.ConsoleTenants, "Tenants")]
    public async Task The_page_heading_is_not_hidden_under_the_app_bar(string path, string heading)
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(path);

        var title = page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true });
        await Expect(title).ToBeVisibleAsync();

        // What is on top at the heading's top-left corner: the heading itself, not the app bar.
        var onTop = await title.EvaluateAsync<bool>(
            "h => { const r = h.getBoundingClientRect(); const e = document.elementFromPoint(r.left + 2, r.top + 2); return e !== null && h.contains(e); }");
        var headingBox = await title.BoundingBoxAsync();
        var appBarBox = await page.GetByRole(AriaRole.Banner).BoundingBoxAsync();
        Assert.True(onTop, $"the '{heading}' heading (top y={headingBox?.Y}) is covered by the app bar (bottom y={appBarBox?.Y + appBarBox?.Height})");
    }
}
