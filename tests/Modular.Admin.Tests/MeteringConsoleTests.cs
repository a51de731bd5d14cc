using Microsoft.Playwright;
using Modular.Admin.Tests;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.MeteringScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// What an operator does with metering in the console: define meters, read a tenant's usage and invoice
/// preview, and find out what became of its events. One host for the class; each test makes its own
/// meters, event types and tenants.
/// </summary>
public sealed class MeteringConsoleTests(MeteringConsole console) : IClassFixture<MeteringConsole>
{
    [Fact]
    public async Task A_meter_created_through_the_dialog_is_listed()
    {
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Meters");
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, MeteringRoutes.ConsoleMeters).ToString());
        await Expect(page).ToHaveTitleAsync("Meters · Modular admin");
        await Expect(page.GetByTestId("create-meter")).ToBeEnabledAsync();
        await page.GetByTestId("create-meter").ClickAsync();
        await page.GetByTestId("meter-aggregation-field").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "SUM", Exact = true }).ClickAsync();
        // The next field is typed into once the select shows the choice the circuit has taken.
        await Expect(page.GetByTestId("meter-aggregation-field")).ToHaveTextAsync("SUM");

        await page.GetByTestId("meter-key-field").FillAsync("created-tokens");
        await page.GetByTestId("meter-name-field").FillAsync("Tokens");
        await page.GetByTestId("meter-event-type-field").FillAsync("created.completion");
        await page.GetByTestId("meter-value-path-field").FillAsync("$.usage.tokens");
        await page.GetByTestId("meter-dimensions-field").FillAsync("model=$.model");
        await page.GetByTestId("meter-dialog-submit").ClickAsync();
        await DialogClosedAsync(page);
        var row = MeterRow(page, "created-tokens");
        await Expect(row).ToContainTextAsync("Tokens");
        await Expect(row).ToContainTextAsync("created.completion");
        await Expect(row).ToContainTextAsync("SUM");
        await Expect(row).ToContainTextAsync("$.usage.tokens");
        await Expect(row).ToContainTextAsync("model=$.model");
        var meter = await console.FindMeterAsync("created-tokens");
        Assert.NotNull(meter);
        Assert.Equal(("Tokens", "created.completion", "SUM", "$.usage.tokens"), (meter.Name, meter.EventType, meter.Aggregation, meter.ValuePath));
        Assert.Equal("$.model", meter.GroupBy["model"]);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_bad_value_path_or_a_taken_key_shows_the_error_next_to_its_field_and_creates_nothing()
    {
        await console.CreateMeterAsync(new { key = "taken-calls", name = "Taken", eventType = "taken.call", aggregation = "COUNT" });
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync(MeteringRoutes.ConsoleMeters);
        await Expect(page.GetByTestId("create-meter")).ToBeEnabledAsync();

        await page.GetByTestId("create-meter").ClickAsync();
        await page.GetByTestId("meter-key-field").FillAsync("bad-path");
        await page.GetByTestId("meter-name-field").FillAsync("Bad path");
        await page.GetByTestId("meter-event-type-field").FillAsync("bad.call");
        await page.GetByTestId("meter-dialog-submit").ClickAsync();
        // No aggregation chosen: the validator's message, under the select.
        await Expect(Field(page, "meter-aggregation-field")).ToContainTextAsync("One of SUM, COUNT, AVG, MIN, MAX, UNIQUE_COUNT, LATEST.");

        await page.GetByTestId("meter-aggregation-field").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "MAX", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("meter-aggregation-field")).ToHaveTextAsync("MAX");
        await page.GetByTestId("meter-value-path-field").FillAsync("$.usage tokens");
        await Expect(page.GetByTestId("meter-value-path-field")).ToHaveValueAsync("$.usage tokens");
        await page.GetByTestId("meter-dimensions-field").FillAsync("model");
        await page.GetByTestId("meter-dialog-submit").ClickAsync();
        await Expect(Field(page, "meter-dimensions-field")).ToContainTextAsync("'model' is not name=path.");

        await page.GetByTestId("meter-dimensions-field").FillAsync("");
        await page.GetByTestId("meter-dialog-submit").ClickAsync();
        await Expect(Field(page, "meter-value-path-field")).ToContainTextAsync("A JSON path such as $.usage.tokens.");
        await Expect(Field(page, "meter-key-field")).Not.ToContainTextAsync("already exists");
        await Expect(Dialog(page)).ToBeVisibleAsync();
        Assert.Null(await console.FindMeterAsync("bad-path"));

        // A valid meter under a key that is taken: the conflict, next to the key.
        await page.GetByTestId("meter-value-path-field").FillAsync("$.usage.tokens");
        await page.GetByTestId("meter-key-field").FillAsync("taken-calls");
        await page.GetByTestId("meter-dialog-submit").ClickAsync();

        await Expect(Field(page, "meter-key-field")).ToContainTextAsync("A meter with key 'taken-calls' already exists.");
        await Expect(Field(page, "meter-value-path-field")).Not.ToContainTextAsync("A JSON path");
        await page.GetByTestId("meter-dialog-cancel").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(MeterRows(page).GetByTestId("meter-key").GetByText("bad-path", new() { Exact = true })).ToHaveCountAsync(0);
        var taken = (await console.FindMeterAsync("taken-calls"))!;
        Assert.Equal(("Taken", "COUNT"), (taken.Name, taken.Aggregation));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Editing_changes_only_the_name_and_description_and_deleting_asks_first()
    {
        await console.CreateMeterAsync(new { key = "edited-calls", name = "Calls", eventType = "edited.call", aggregation = "COUNT" });
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync(MeteringRoutes.ConsoleMeters);
        var row = MeterRow(page, "edited-calls");
        await Expect(row.GetByTestId("meter-edit")).ToBeEnabledAsync();

        await row.GetByTestId("meter-edit").ClickAsync();
        await Expect(page.GetByTestId("meter-fixed-note")).ToContainTextAsync("fixed once created");
        foreach (var fixedField in new[] { "meter-key-field", "meter-event-type-field", "meter-value-path-field", "meter-dimensions-field" })
        {
            await Expect(page.GetByTestId(fixedField)).ToBeDisabledAsync();
        }

        await page.GetByTestId("meter-name-field").FillAsync("Billable calls");
        await page.GetByTestId("meter-description-field").FillAsync("Calls to the public API");
        await page.GetByTestId("meter-dialog-submit").ClickAsync();
        await Expect(row.GetByTestId("meter-name")).ToHaveTextAsync("Billable calls");
        var edited = (await console.FindMeterAsync("edited-calls"))!;
        Assert.Equal(("Billable calls", "Calls to the public API", "edited.call", "COUNT"), (edited.Name, edited.Description, edited.EventType, edited.Aggregation));

        // Backing out of the confirmation deletes nothing.
        await row.GetByTestId("meter-delete").ClickAsync();
        await Expect(Dialog(page)).ToContainTextAsync("Delete edited-calls?");
        await Dialog(page).GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(row).ToHaveCountAsync(1);
        Assert.NotNull(await console.FindMeterAsync("edited-calls"));

        await row.GetByTestId("meter-delete").ClickAsync();
        await Dialog(page).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Null(await console.FindMeterAsync("edited-calls"));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_tenants_usage_page_charts_each_meter_with_its_total_and_previews_the_invoice()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("usage-acme", "Usage Acme", plan: "pro");
        var unpriced = await tenants.CreateAsync("usage-free", "Usage Free");
        await console.CreateMeterAsync(new { key = MeteringConsole.PricedMeter, name = "API calls", eventType = "usage.call", aggregation = "COUNT" });
        await console.SendEventsAsync("usage-acme", Enumerable.Range(0, 150).Select(i => (object)MeteringConsole.Event($"call-{i}", "usage.call")).ToArray());
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenant(tenant.Id));

        // From the tenant's own page: the metering module contributes the link (IModule.TenantAdminLinks).
        await page.GetByTestId("tenant-module-link").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Usage$") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"{MeteringRoutes.ConsoleTenantUsage(tenant.Id)}$"));
        await Expect(page.GetByTestId("tenant-usage-title")).ToHaveTextAsync("Usage of usage-acme");
        var usage = MeterUsage(page, MeteringConsole.PricedMeter);
        await Expect(usage.GetByTestId("meter-total")).ToHaveTextAsync("150");
        await Expect(usage.Locator("svg").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("invoice-plan")).ToHaveTextAsync("pro");
        await Expect(page.GetByTestId("invoice-line")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("invoice-line")).ToContainTextAsync(MeteringConsole.PricedMeter);
        await Expect(page.GetByTestId("invoice-line")).ToContainTextAsync("Graduated");
        await Expect(page.GetByTestId("invoice-line")).ToContainTextAsync("125.00 USD");
        await Expect(page.GetByTestId("invoice-total")).ToHaveTextAsync("125.00 USD");

        // The hourly view over the last two days holds the same calls.
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync("00:00 to");
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync("(UTC, the tenant's billing time zone)");
        await page.GetByTestId("usage-range").GetByText("Last 2 days, per hour").ClickAsync();
        await Expect(page.GetByTestId("usage-window")).Not.ToContainTextAsync(DateTimeOffset.UtcNow.Date.AddDays(-29).ToString("yyyy-MM-dd"));
        await Expect(usage.GetByTestId("meter-total")).ToHaveTextAsync("150");

        // Days are the tenant's billing days: in India (UTC+5:30) they start at 18:30 UTC, shown as local midnight.
        await console.SetBillingTimeZoneAsync("usage-acme", "Asia/Kolkata");
        await admin.ReloadAsync();
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync("(Asia/Kolkata, the tenant's billing time zone)");
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync("00:00 to");
        await Expect(MeterUsage(page, MeteringConsole.PricedMeter).GetByTestId("meter-total")).ToHaveTextAsync("150");

        // A tenant on a plan without prices: a clear message instead of an invoice.
        await admin.GotoAsync(MeteringRoutes.ConsoleTenantUsage(unpriced.Id));
        await Expect(page.GetByTestId("invoice-no-pricing")).ToContainTextAsync($"plan “{unpriced.Plan}” has no pricing");
        await Expect(page.GetByTestId("invoice-line")).ToHaveCountAsync(0);
        await Expect(MeterUsage(page, MeteringConsole.PricedMeter).GetByTestId("meter-total")).ToHaveTextAsync("0");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_meters_usage_splits_by_a_dimension_over_days_the_operator_chooses()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("usage-split", "Usage Split");
        await console.CreateMeterAsync(new
        {
            key = "split-tokens",
            name = "Tokens",
            eventType = "split.completion",
            aggregation = "SUM",
            valuePath = "$.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        });
        await console.SendEventsAsync("usage-split",
            MeteringConsole.Event("split-1", "split.completion", new { tokens = 10, model = "large" }),
            MeteringConsole.Event("split-2", "split.completion", new { tokens = 5, model = "large" }),
            MeteringConsole.Event("split-3", "split.completion", new { tokens = 2, model = "small" }));
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync(MeteringRoutes.ConsoleTenantUsage(tenant.Id));
        var usage = MeterUsage(page, "split-tokens");
        await Expect(usage.GetByTestId("meter-total")).ToHaveTextAsync("17");

        // Split by the model: the largest first, in words beside the chart.
        await usage.GetByTestId("meter-group-by").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "model", Exact = true }).ClickAsync();
        await Expect(usage.GetByTestId("meter-summary")).ToHaveTextAsync("By model: large 15, small 2.");
        // Each bar says what it is on hover: today's "small" bar, the last drawn (stroke-only paths, so forced).
        await usage.Locator(".mud-chart-bar").Last.HoverAsync(new() { Force = true });
        await Expect(usage.Locator(".mud-charts-tooltip")).ToHaveTextAsync("small: 2");

        // Chosen days: up to today holds the events, a week long ago holds none, and an upside-down range is refused.
        var today = DateTimeOffset.UtcNow.UtcDateTime.Date; // the tenant bills in UTC
        await page.GetByTestId("usage-range").GetByText("Chosen days").ClickAsync();
        await Expect(page.GetByTestId("usage-from")).ToHaveValueAsync(today.AddDays(-29).ToString("yyyy-MM-dd"));
        await page.GetByTestId("usage-from").FillAsync(today.AddDays(-2).ToString("yyyy-MM-dd"));
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync($"{today.AddDays(-2):yyyy-MM-dd} 00:00 to {today.AddDays(1):yyyy-MM-dd} 00:00");
        await Expect(usage.GetByTestId("meter-total")).ToHaveTextAsync("17");
        await page.GetByTestId("usage-to").FillAsync(today.AddDays(-60).ToString("yyyy-MM-dd"));
        await Expect(page.GetByTestId("usage-chosen")).ToContainTextAsync("From a day up to 92 days later.");
        await page.GetByTestId("usage-from").FillAsync(today.AddDays(-66).ToString("yyyy-MM-dd"));
        await Expect(usage.GetByTestId("meter-total")).ToHaveTextAsync("0");
        await Expect(usage.GetByTestId("meter-summary")).ToHaveTextAsync("Nothing to split by model.");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_event_debugger_shows_an_invalid_event_with_its_error_and_filters_by_status()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("debug-acme", "Debug Acme");
        await tenants.CreateAsync("debug-other", "Debug Other");
        await console.CreateMeterAsync(new { key = "debug-tokens", name = "Tokens", eventType = "debug.completion", aggregation = "SUM", valuePath = "$.tokens" });
        await console.SendEventsAsync("debug-acme",
            MeteringConsole.Event("good-1", "debug.completion", new { tokens = 12 }),
            MeteringConsole.Event("bad-1", "debug.completion", new { tokens = "lots", model = "large" }),
            MeteringConsole.Event("typo-1", "debug.completoin", new { tokens = 3 }));
        await console.SendEventsAsync("debug-other", MeteringConsole.Event("other-1", "debug.completion", new { tokens = "other tenant's" }));
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync(MeteringRoutes.ConsoleTenantEvents(tenant.Id));

        await Expect(page.GetByTestId("usage-events-title")).ToHaveTextAsync("Usage events of debug-acme");
        await Expect(EventRows(page)).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("event-table")).Not.ToContainTextAsync("other-1");
        var invalid = EventRows(page).Filter(new() { HasText = "bad-1" });
        await Expect(invalid.GetByTestId("event-status")).ToHaveTextAsync("Invalid");
        await Expect(invalid.GetByTestId("event-error")).Not.ToBeEmptyAsync();
        var error = await invalid.GetByTestId("event-error").InnerTextAsync();
        await Expect(EventRows(page).Filter(new() { HasText = "good-1" }).GetByTestId("event-status")).ToHaveTextAsync("Counted");
        await Expect(EventRows(page).Filter(new() { HasText = "typo-1" }).GetByTestId("event-status")).ToHaveTextAsync("Unmatched");
        await page.GetByTestId("event-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Invalid", Exact = true }).ClickAsync();
        await Expect(EventRows(page)).ToHaveCountAsync(1);
        await Expect(EventRows(page).GetByTestId("event-id")).ToHaveTextAsync("gateway / bad-1");

        await EventRows(page).First.ClickAsync();
        await Expect(page.GetByTestId("event-detail")).ToContainTextAsync(error);
        await Expect(page.GetByTestId("event-data")).ToContainTextAsync("\"tokens\": \"lots\"");
        await Expect(page.GetByTestId("event-data")).ToContainTextAsync("\"model\": \"large\"");
        await Expect(page.GetByTestId("event-detail")).ToBeInViewportAsync(); // where the operator is looking, however long the list
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("event-detail")).ToHaveCountAsync(0);

        await page.GetByTestId("event-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Unmatched", Exact = true }).ClickAsync();
        await Expect(EventRows(page).GetByTestId("event-type")).ToHaveTextAsync(["debug.completoin"]);

        // By type, across statuses.
        await page.GetByTestId("event-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Any", Exact = true }).ClickAsync();
        await page.GetByTestId("event-type-filter").FillAsync("debug.completion"); // applied once typing pauses
        // One batch, one receipt time: the two come in either order.
        await Expect(EventRows(page)).ToHaveCountAsync(2);
        await Expect(EventRows(page).Filter(new() { HasText = "bad-1" })).ToHaveCountAsync(1);
        await Expect(EventRows(page).Filter(new() { HasText = "good-1" })).ToHaveCountAsync(1);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_event_debugger_shows_a_hundred_events_at_a_time_and_older_ones_on_request()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("paged-acme", "Paged Acme");
        await console.SendEventsAsync("paged-acme", Enumerable.Range(0, 130).Select(i => (object)MeteringConsole.Event($"paged-{i}", "paged.call")).ToArray());
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync(MeteringRoutes.ConsoleTenantEvents(tenant.Id));

        await Expect(EventRows(page)).ToHaveCountAsync(100);
        await page.GetByTestId("event-older").ClickAsync();
        await Expect(EventRows(page)).ToHaveCountAsync(130);
        await Expect(page.GetByTestId("event-older")).ToHaveCountAsync(0); // a short page was the last
        var ids = await EventRows(page).GetByTestId("event-id").AllInnerTextsAsync();
        Assert.Equal(130, ids.Distinct().Count());

        // An event far down the list opens where the operator is looking, not thousands of pixels above.
        var row = EventRows(page).Nth(120);
        await row.ClickAsync();
        await Expect(page.GetByTestId("event-detail")).ToBeInViewportAsync();
        await Expect(page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Heading)).ToContainTextAsync(await row.GetByTestId("event-id").InnerTextAsync());
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_platform_event_debugger_lists_every_tenants_events_with_their_tenant()
    {
        using var tenants = new TenantsApi(console);
        await tenants.CreateAsync("all-acme", "All Acme");
        var globex = await tenants.CreateAsync("all-globex", "All Globex");
        await console.SendEventsAsync("all-acme", MeteringConsole.Event("acme-call", "all.call"));
        await console.SendEventsAsync("all-globex", MeteringConsole.Event("globex-call", "all.call"));
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Usage events");
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, MeteringRoutes.ConsoleEvents).ToString());
        await page.GetByTestId("event-type-filter").FillAsync("all.call");

        await Expect(EventRows(page)).ToHaveCountAsync(2);
        await Expect(EventRows(page).Filter(new() { HasText = "acme-call" }).GetByTestId("event-tenant")).ToHaveTextAsync("all-acme");
        var globexRow = EventRows(page).Filter(new() { HasText = "globex-call" });
        await Expect(globexRow.GetByTestId("event-tenant")).ToHaveTextAsync("all-globex");

        await globexRow.GetByTestId("event-tenant").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"{MeteringRoutes.ConsoleTenantEvents(globex.Id)}$"));
        await Expect(page.GetByTestId("usage-events-title")).ToHaveTextAsync("Usage events of all-globex");
        await Expect(EventRows(page).GetByTestId("event-id")).ToHaveTextAsync(["gateway / globex-call"]);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_event_list_and_the_dashboard_show_new_events_as_they_arrive()
    {
        using var tenants = new TenantsApi(console);
        await tenants.CreateAsync("live-acme", "Live Acme");
        await console.SendEventsAsync("live-acme", MeteringConsole.Event("live-0", "live.call"));
        await using var admin = await console.OpenAsync(MeteringConsole.Operator);
        var page = admin.Page;

        // The list, filtered to one type, gains an event sent while it is open: no reload, no click.
        await admin.GotoAsync(MeteringRoutes.ConsoleEvents);
        await page.GetByTestId("event-type-filter").FillAsync("live.call");
        await Expect(EventRows(page).GetByTestId("event-id")).ToHaveTextAsync(["gateway / live-0"]);
        await console.SendEventsAsync("live-acme", MeteringConsole.Event("live-1", "live.call"));
        await Expect(EventRows(page).GetByTestId("event-id")).ToHaveTextAsync(["gateway / live-1", "gateway / live-0"]);

        // The dashboard's count of events no meter counts (live.call is one) goes up the same way.
        await admin.GotoAsync("/admin");
        var unmatched = page.GetByTestId("usage-unmatched").Locator("td");
        var before = int.Parse(await unmatched.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await console.SendEventsAsync("live-acme", MeteringConsole.Event("live-2", "live.call"));
        await Expect(unmatched).ToHaveTextAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_operator_without_metering_read_cannot_open_the_metering_pages()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("hidden-acme", "Hidden Acme");
        await console.CreateMeterAsync(new { key = "hidden-calls", name = "Hidden calls", eventType = "hidden.call", aggregation = "COUNT" });
        await console.SendEventsAsync("hidden-acme", MeteringConsole.Event("hidden-1", "hidden.call"));
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;

        foreach (var path in new[] { MeteringRoutes.ConsoleMeters, MeteringRoutes.ConsoleTenantUsage(tenant.Id), MeteringRoutes.ConsoleTenantEvents(tenant.Id), MeteringRoutes.ConsoleEvents })
        {
            await admin.GotoAsync(path);
            await Expect(page.GetByTestId("metering-forbidden")).ToContainTextAsync("needs the metering.read permission");
            await Expect(page.GetByTestId("meter-table")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("create-meter")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("meter-usage")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("invoice-preview")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("event-table")).ToHaveCountAsync(0);
            await Expect(page.Locator("body")).Not.ToContainTextAsync("hidden-calls");
            await Expect(page.Locator("body")).Not.ToContainTextAsync("hidden-1");
        }

        Assert.Empty(admin.Errors);
    }
}
