using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Features.Contracts;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.FeatureFlagScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// What an operator does to feature flags in the console: find them, kill one (with confirmation),
/// roll one out with the slider, override one for a tenant. One host for the class; each test makes its own flags.
/// </summary>
public sealed class FeatureFlagTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task The_flag_list_opens_from_the_navigation_and_filters_by_search_and_type()
    {
        await console.CreateFlagAsync(new { key = "list.new-checkout", description = "The new checkout", type = "release", owner = "payments" });
        await console.CreateFlagAsync(new { key = "list.read-only", description = "Maintenance mode", type = "ops", owner = "sre" });
        await console.CreateFlagAsync(new { key = "list.blue-button", description = "Button colour test", type = "experiment", owner = "growth" });
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Feature flags");

        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, FeaturesRoutes.ConsoleFeatures).ToString());
        await Expect(page).ToHaveTitleAsync("Feature flags · Modular admin");
        var search = page.GetByTestId("flag-search");
        await search.FillAsync("list.");
        await search.PressAsync("Enter");
        await Expect(Keys(page)).ToHaveTextAsync(["list.blue-button", "list.new-checkout", "list.read-only"]);

        await search.FillAsync("new checkout"); // the description: "checkout" alone also finds other tests' flags in this host
        await search.PressAsync("Enter");
        await Expect(Keys(page)).ToHaveTextAsync(["list.new-checkout"]);

        await search.FillAsync("list.");
        await search.PressAsync("Enter");
        await Expect(Keys(page)).ToHaveCountAsync(3);
        await page.GetByTestId("flag-type-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "ops", Exact = true }).ClickAsync();
        await Expect(Keys(page)).ToHaveTextAsync(["list.read-only"]);

        await Keys(page).First.ClickAsync();
        await Expect(page.GetByTestId("flag-name")).ToHaveTextAsync("list.read-only");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_kill_switch_asks_for_confirmation_and_a_reason_then_turns_the_flag_off_everywhere()
    {
        await console.CreateFlagAsync(new { key = "kill.payments-v2", filters = new[] { new { name = "Rollout", parameters = new { percentage = 100 } } } });
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(FeaturesRoutes.ConsoleFlag("kill.payments-v2"));
        await Expect(page.GetByTestId("flag-state")).ToHaveTextAsync("on");

        // Backing out changes nothing.
        await page.GetByTestId("flag-kill-switch").ClickAsync();
        await Expect(Dialog(page)).ToContainTextAsync("turns off for every tenant and user");
        await page.GetByTestId("kill-switch-cancel").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("flag-state")).ToHaveTextAsync("on");
        Assert.True((await console.GetFlagAsync("kill.payments-v2")).Enabled);

        // Confirming needs a reason.
        await page.GetByTestId("flag-kill-switch").ClickAsync();
        await Expect(page.GetByTestId("kill-switch-confirm")).ToBeDisabledAsync();
        await page.GetByTestId("kill-switch-reason").FillAsync("payments incident");
        await page.GetByTestId("kill-switch-confirm").ClickAsync();

        await Expect(page.GetByTestId("flag-state")).ToHaveTextAsync("killed");
        await Expect(HistoryActions(page)).ToHaveTextAsync(["flag.killed", "flag.created"]);
        await Expect(page.GetByTestId("flag-history").GetByTestId("history-reason")).ToHaveTextAsync(["Reason: “payments incident”"]);
        var flag = await console.GetFlagAsync("kill.payments-v2");
        Assert.False(flag.Enabled);
        using var member = console.Host.CreateClientAs("someone");
        var evaluation = await member.GetFromJsonAsync<FeatureEvaluationDto>(FeaturesRoutes.Evaluate, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("kill.payments-v2", evaluation!.Enabled);

        // And from the list, the switch in the row asks too.
        await admin.GotoAsync(FeaturesRoutes.ConsoleFeatures);
        var row = Rows(page).Filter(new() { HasText = "kill.payments-v2" });
        await row.Locator("input[type=checkbox]").ClickAsync();
        await page.GetByTestId("kill-switch-reason").FillAsync("incident over");
        await page.GetByTestId("kill-switch-confirm").ClickAsync();
        // The browser ticks the box on the click; the confirmation appears once the command has committed.
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("kill.payments-v2 is on");
        await Expect(row.Locator("input[type=checkbox]")).ToBeCheckedAsync();
        Assert.True((await console.GetFlagAsync("kill.payments-v2")).Enabled);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_flag_opened_again_in_the_same_session_shows_and_changes_what_the_database_holds_now()
    {
        await console.CreateFlagAsync(new { key = "stale.banner" });
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(FeaturesRoutes.ConsoleFlag("stale.banner"));
        await Expect(page.GetByTestId("flag-state")).ToHaveTextAsync("on");

        // Someone kills it through the API while the console is open.
        using (var api = console.FlagsApi())
        {
            using var killed = await api.PutAsJsonAsync(FeaturesRoutes.FlagEnabled("stale.banner"), new { enabled = false, reason = "incident" }, TestContext.Current.CancellationToken);
            Assert.True(killed.IsSuccessStatusCode, await killed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        // The operator opens the flag again from the list, in the same console session (the same circuit).
        await admin.FollowMenuLinkAsync("Feature flags");
        await Rows(page).Filter(new() { HasText = "stale.banner" }).GetByTestId("flag-key").ClickAsync();
        await Expect(page.GetByTestId("flag-name")).ToHaveTextAsync("stale.banner");
        await Expect(page.GetByTestId("flag-state")).ToHaveTextAsync("killed");

        // Turning it on again acts on the flag as it is, under the operator's name.
        await page.GetByTestId("flag-kill-switch").ClickAsync();
        await page.GetByTestId("kill-switch-reason").FillAsync("incident over");
        await page.GetByTestId("kill-switch-confirm").ClickAsync();
        await Expect(page.GetByTestId("flag-state")).ToHaveTextAsync("on");
        await Expect(HistoryActions(page)).ToHaveTextAsync(["flag.enabled", "flag.killed", "flag.created"]);
        await Expect(page.GetByTestId("flag-history")).ToContainTextAsync(" · operator · stale.banner");
        var flag = await console.GetFlagAsync("stale.banner");
        Assert.Equal((true, 3), (flag.Enabled, flag.Version));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Settings_targeting_and_a_time_window_are_edited_in_a_form_that_the_api_rules_judge()
    {
        var ct = TestContext.Current.CancellationToken;
        await console.CreateFlagAsync(new { key = "edit.new-dashboard", description = "Draft", owner = "nobody", filters = new[] { new { name = "Percentage", parameters = new { value = 10 } } } });
        using var api = console.FlagsApi();
        using var created = await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "edit-acme", name = "Edit Acme" }, ct);
        var tenant = (await created.Content.ReadFromJsonAsync<TenantDto>(ct))!;
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(FeaturesRoutes.ConsoleFlag("edit.new-dashboard"));

        await page.GetByTestId("flag-edit").ClickAsync();
        await Expect(page.GetByTestId("flag-description")).ToHaveValueAsync("Draft");
        await page.GetByTestId("flag-description").FillAsync("The new dashboard");
        await page.GetByTestId("flag-owner").FillAsync("growth");
        await page.GetByTestId("flag-target-tenants").FillAsync("edit-acme, no-such-tenant");
        await page.GetByTestId("flag-target-plans").FillAsync("pro");
        await page.GetByTestId("flag-target-roles").FillAsync("beta-tester");
        await page.GetByTestId("flag-window-start").FillAsync("2030-02-01T00:00");
        await page.GetByTestId("flag-window-end").FillAsync("2030-01-01T00:00");
        await page.GetByTestId("flag-settings-submit").ClickAsync();

        // A tenant that does not exist is named under its field; nothing is sent.
        await Expect(page.GetByTestId("flag-target-tenants")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Dialog(page)).ToContainTextAsync("No tenant 'no-such-tenant'.");
        await page.GetByTestId("flag-target-tenants").FillAsync("edit-acme");
        await page.GetByTestId("flag-settings-submit").ClickAsync();

        // A window that ends before it starts: the API's own rule, said in the dialog; nothing saved.
        await Expect(page.GetByTestId("flag-settings-error")).ToContainTextAsync("End must be after Start.");
        Assert.Equal("Draft", (await console.GetFlagAsync("edit.new-dashboard")).Description);

        await page.GetByTestId("flag-window-end").FillAsync("2030-03-01T12:30");
        await page.GetByTestId("flag-reason").FillAsync("beta for acme");
        await page.GetByTestId("flag-settings-submit").ClickAsync();

        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("flag-facts")).ToContainTextAsync("The new dashboard");
        await Expect(page.GetByTestId("flag-filter")).ToHaveTextAsync([FlagFilters.Percentage, FlagFilters.Targeting, FlagFilters.TimeWindow]);
        await Expect(page.GetByTestId("flag-filter-summary")).ToHaveTextAsync([
            "tenants: edit-acme · plans: pro · roles: beta-tester · everyone else: 0%",
            "from 2030-02-01 00:00 UTC until 2030-03-01 12:30 UTC"]);
        await Expect(page.GetByTestId("history-reason").First).ToContainTextAsync("beta for acme");

        var saved = await console.GetFlagAsync("edit.new-dashboard");
        Assert.Equal(("The new dashboard", "growth"), (saved.Description, saved.Owner));
        var targeting = saved.Filters.Single(f => f.Name == FlagFilters.Targeting).Parameters!.Value.GetRawText();
        Assert.Contains($"\"tenant:{tenant.Id}\"", targeting, StringComparison.Ordinal);
        Assert.Contains("\"plan:pro\"", targeting, StringComparison.Ordinal);
        Assert.Contains("2030-02-01T00:00:00+00:00", saved.Filters.Single(f => f.Name == FlagFilters.TimeWindow).Parameters!.Value.GetRawText(), StringComparison.Ordinal);

        // Opened again, the form shows what is stored, tenants by slug.
        await page.GetByTestId("flag-edit").ClickAsync();
        await Expect(page.GetByTestId("flag-target-tenants")).ToHaveValueAsync("edit-acme");
        await Expect(page.GetByTestId("flag-window-end")).ToHaveValueAsync("2030-03-01T12:30");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Variants_and_their_shares_are_edited_in_the_form_and_unchanged_shares_keep_their_callers()
    {
        await console.CreateFlagAsync(new
        {
            key = "variant.checkout-colour",
            variants = new object[] { new { name = "blue", configuration = "#00f" }, new { name = "green" } },
            allocation = new
            {
                percentile = new[] { new { variant = "blue", from = 0, to = 25 }, new { variant = "green", from = 25, to = 50 }, new { variant = "blue", from = 50, to = 100 } },
                seed = "colour-test",
            },
        });
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(FeaturesRoutes.ConsoleFlag("variant.checkout-colour"));

        // Saving something else keeps the stored ranges, so no caller moves to another variant.
        await page.GetByTestId("flag-edit").ClickAsync();
        await Expect(page.GetByTestId("variant-name")).ToHaveCountAsync(2);
        await Expect(Share(page, 0)).ToHaveValueAsync("75");
        await Expect(page.GetByTestId("variant-value").Nth(0)).ToHaveValueAsync("#00f");
        await page.GetByTestId("flag-description").FillAsync("Which colour sells");
        await page.GetByTestId("flag-settings-submit").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        var kept = (await console.GetFlagAsync("variant.checkout-colour")).Allocation!;
        Assert.Equal([("blue", 0.0, 25.0), ("green", 25.0, 50.0), ("blue", 50.0, 100.0)], kept.Percentile!.Select(p => (p.Variant, p.From, p.To)));
        Assert.Equal("colour-test", kept.Seed);

        // A third variant; shares that do not add up are the API's to refuse, in the dialog.
        await page.GetByTestId("flag-edit").ClickAsync();
        await page.GetByTestId("variant-add").ClickAsync();
        await page.GetByTestId("variant-name").Nth(2).FillAsync("red");
        await Share(page, 2).FillAsync("10");
        await page.GetByTestId("flag-settings-submit").ClickAsync();
        await Expect(page.GetByTestId("variant-error")).ToContainTextAsync("100");
        await Share(page, 0).FillAsync("65");
        await page.GetByTestId("flag-settings-submit").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);

        var saved = await console.GetFlagAsync("variant.checkout-colour");
        Assert.Equal(["blue", "green", "red"], saved.Variants.Select(v => v.Name));
        Assert.Equal("\"#00f\"", saved.Variants[0].Configuration!.Value.GetRawText());
        Assert.Equal([("blue", 0.0, 65.0), ("green", 65.0, 90.0), ("red", 90.0, 100.0)], saved.Allocation!.Percentile!.Select(p => (p.Variant, p.From, p.To)));
        await Expect(page.GetByTestId("flag-variants")).ToHaveTextAsync("blue, green, red");
        Assert.Empty(admin.Errors);
    }

    /// <summary>A variant's share input (MudNumericField puts the test id on the input or around it, by version).</summary>
    private static ILocator Share(IPage page, int variant) =>
        page.Locator("input[data-testid=variant-percent], [data-testid=variant-percent] input").Nth(variant);

    [Fact]
    public async Task The_slider_sets_the_rollout_and_a_tenant_gets_an_override_from_its_own_page()
    {
        await console.CreateFlagAsync(new { key = "slide.reports", filters = new[] { new { name = "Rollout", parameters = new { percentage = 0 } } } });
        using var api = console.FlagsApi();
        using var created = await api.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "slide-acme", name = "Slide Acme" }, TestContext.Current.CancellationToken);
        var tenant = (await created.Content.ReadFromJsonAsync<TenantDto>(TestContext.Current.CancellationToken))!;
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(FeaturesRoutes.ConsoleFlag("slide.reports"));
        await page.Locator("input[type=range]").FillAsync("40");
        await Expect(page.GetByTestId("rollout-percentage")).ToHaveTextAsync("40");
        await page.GetByTestId("rollout-save").ClickAsync();

        await Expect(HistoryActions(page)).ToHaveTextAsync(["flag.updated", "flag.created"]);
        // The update shows the one field that changed, before and after, not the whole flag twice.
        var update = page.GetByTestId("flag-history").Locator(".mud-timeline-item").First;
        var filters = update.Locator("[data-testid=change-field][data-field=filters]");
        await Expect(filters.GetByTestId("change-before")).ToContainTextAsync("\"percentage\":0");
        await Expect(filters.GetByTestId("change-after")).ToContainTextAsync("\"percentage\":40");
        await Expect(update.Locator("[data-testid=change-field][data-field=key]")).ToHaveCountAsync(0);
        await Expect(update.Locator("[data-testid=change-field][data-field=description]")).ToHaveCountAsync(0);
        var rollout = Assert.Single((await console.GetFlagAsync("slide.reports")).Filters);
        Assert.Equal(40, rollout.Parameters!.Value.GetProperty("percentage").GetDouble());

        // From the tenant's own page: the features module contributes a link there (IModule.TenantAdminLinks).
        await admin.GotoAsync(TenantsRoutes.ConsoleTenant(tenant.Id));
        await page.GetByTestId("tenant-module-link").Filter(new() { HasText = "Feature flags" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"{FeaturesRoutes.ConsoleTenantFeatures(tenant.Id)}$"));
        await Expect(page.GetByTestId("tenant-features-title")).ToHaveTextAsync("Feature flags of Slide Acme");
        await page.GetByTestId("tenant-override-flag").FillAsync("slide.reports");
        await page.GetByTestId("tenant-override-save").ClickAsync();

        await Expect(page.GetByTestId("tenant-override")).ToContainTextAsync("slide.reports");
        var tenantOverride = Assert.Single((await console.GetFlagAsync("slide.reports")).Overrides);
        Assert.Equal((tenant.Id, true), (tenantOverride.TenantId, tenantOverride.Enabled));

        // Back on the flag, the tenant is named (and linked), in its overrides and its history, never a bare id.
        await admin.GotoAsync(FeaturesRoutes.ConsoleFlag("slide.reports"));
        await Expect(page.GetByTestId("override-tenant-name")).ToHaveTextAsync("slide-acme");
        await Expect(page.GetByTestId("history-tenant").First).ToHaveTextAsync("slide-acme");
        await Expect(page.GetByTestId("history-tenant").First).ToHaveAttributeAsync("href", FeaturesRoutes.ConsoleTenantFeatures(tenant.Id));
        await Expect(page.GetByTestId("flag-history")).Not.ToContainTextAsync(tenant.Id.ToString());
        Assert.Empty(admin.Errors);
    }
}
