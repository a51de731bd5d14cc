using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Metering.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.MeteringScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// A tenant's own usage and billing in the organization area (<c>/org/usage</c>): what it has used, of its quotas and
/// at what price, its billing time zone, and its closed statements as files; never another tenant's.
/// </summary>
public sealed class OrganizationUsageTests(MeteringConsole console) : IClassFixture<MeteringConsole>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_member_sees_their_usage_quota_and_invoice_preview_and_none_of_another_tenants()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-usage-acme", "Org Usage Acme", plan: "pro");
        await tenants.CreateAsync("org-usage-other", "Org Usage Other", plan: "pro");
        await console.EnsurePricedMeterAsync();
        await console.SendEventsAsync("org-usage-acme", Enumerable.Range(0, 150).Select(i => (object)MeteringConsole.Event($"acme-{i}", "usage.call")).ToArray());
        await console.SendEventsAsync("org-usage-other", Enumerable.Range(0, 7).Select(i => (object)MeteringConsole.Event($"other-{i}", "usage.call")).ToArray());
        await using var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("uma", [MeteringPermissions.Read], tenant.Id.ToString()));
        var page = member.Page;
        await member.GotoAsync("/org");

        await member.FollowMenuLinkAsync("Usage & billing");
        var usage = MeterUsage(page, MeteringConsole.PricedMeter);
        await Expect(usage.GetByTestId("meter-total")).ToHaveTextAsync("150");
        await Expect(usage.Locator("svg").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("invoice-plan")).ToHaveTextAsync("pro");
        await Expect(page.GetByTestId("invoice-total")).ToHaveTextAsync("125.00 USD");
        var quota = page.Locator($"[data-testid=quota][data-meter='{MeteringConsole.PricedMeter}']");
        await Expect(quota.GetByTestId("quota-used")).ToHaveTextAsync("150");
        await Expect(quota.GetByTestId("quota-limit")).ToHaveTextAsync("1,000");
        await Expect(quota.GetByTestId("quota-enforcement")).ToHaveTextAsync(QuotaEnforcements.Hard);
        // The period so far against the quota: a chart of the running total beside its limit, and the same in words.
        var trend = page.Locator($"[data-testid=quota-trend][data-meter='{MeteringConsole.PricedMeter}']");
        await Expect(trend.GetByTestId("quota-trend-summary")).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex(@"^150 of 1,000 used \(15%\) in \d+ day\(s\) of the period\.$"));
        await Expect(trend.Locator("svg").First).ToBeVisibleAsync();

        // Reading is all this member may do: the billing time zone is shown, not offered for change.
        await Expect(page.GetByTestId("billing-time-zone")).ToHaveTextAsync("UTC");
        await Expect(page.GetByTestId("billing-profile-save")).ToHaveCountAsync(0);
        Assert.Empty(member.Errors);
    }

    [Fact]
    public async Task A_member_who_manages_metering_changes_the_billing_time_zone_and_a_bad_one_is_named_on_its_field()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-usage-zone", "Org Usage Zone", plan: "pro");
        await console.EnsurePricedMeterAsync();
        await using var admin = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("zed", [MeteringPermissions.Read, MeteringPermissions.BillingManage], tenant.Id.ToString()));
        var page = admin.Page;
        await admin.GotoAsync(MeteringRoutes.OrganizationUsage);
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync("(UTC, the tenant's billing time zone)");

        await page.GetByTestId("billing-time-zone").FillAsync("Mars/Olympus_Mons");
        await page.GetByTestId("billing-profile-save").ClickAsync();
        await Expect(Field(page, "billing-time-zone")).ToContainTextAsync("An IANA time zone id");

        await page.GetByTestId("billing-time-zone").FillAsync("Asia/Kolkata");
        await page.GetByTestId("billing-profile-save").ClickAsync();
        await Expect(page.GetByTestId("usage-window")).ToContainTextAsync("(Asia/Kolkata, the tenant's billing time zone)");
        await Expect(Field(page, "billing-time-zone")).Not.ToContainTextAsync("An IANA time zone id");

        using var api = MeteringApi(tenant.Id, MeteringPermissions.Read);
        var profile = await api.GetFromJsonAsync<BillingProfileDto>(MeteringRoutes.BillingProfile, Cancellation);
        Assert.Equal(new BillingProfileDto("Asia/Kolkata", IsDefault: false), profile);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_closed_statement_downloads_as_the_same_csv_and_json_as_the_apis_export()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-statements", "Org Statements", plan: "pro");
        await console.EnsurePricedMeterAsync();
        using var api = MeteringApi(tenant.Id, MeteringPermissions.Read, MeteringPermissions.Manage);
        using var closing = await api.PostAsJsonAsync(MeteringRoutes.Statements, new { }, Cancellation);
        Assert.True(closing.IsSuccessStatusCode, await closing.Content.ReadAsStringAsync(Cancellation));
        var statement = (await closing.Content.ReadFromJsonAsync<StatementDto>(Cancellation))!;
        var apiCsv = await api.GetStringAsync(MeteringRoutes.StatementExport(statement.Id) + "?format=csv", Cancellation);
        var apiJson = await api.GetStringAsync(MeteringRoutes.StatementExport(statement.Id) + "?format=json", Cancellation);
        await using var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("sam", [MeteringPermissions.Read], tenant.Id.ToString()));
        var page = member.Page;
        await member.GotoAsync(MeteringRoutes.OrganizationUsage);

        await page.GetByTestId("statements-link").ClickAsync();
        var row = page.GetByTestId("statement-table").Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("statement-total")).ToHaveTextAsync("0.00 USD");

        var csv = await page.RunAndWaitForDownloadAsync(() => row.GetByTestId("statement-csv").ClickAsync());
        Assert.Equal($"statement-{statement.PeriodStart.UtcDateTime:yyyyMMdd}-{statement.Id}.csv", csv.SuggestedFilename);
        var csvText = await File.ReadAllTextAsync(await csv.PathAsync(), Cancellation);
        Assert.Equal(apiCsv, csvText);
        Assert.Contains($"{statement.Id},pro,", csvText, StringComparison.Ordinal);
        Assert.Contains(MeteringConsole.PricedMeter, csvText, StringComparison.Ordinal);

        var json = await page.RunAndWaitForDownloadAsync(() => row.GetByTestId("statement-json").ClickAsync());
        Assert.Equal($"statement-{statement.PeriodStart.UtcDateTime:yyyyMMdd}-{statement.Id}.json", json.SuggestedFilename);
        Assert.Equal(apiJson, await File.ReadAllTextAsync(await json.PathAsync(), Cancellation));
        // No API call from the browser: the files were made in the circuit.
        Assert.DoesNotContain(member.Requests, url => url.Contains("/api/", StringComparison.Ordinal));
        Assert.Empty(member.Errors);
    }

    [Fact]
    public async Task A_member_without_the_metering_read_permission_is_refused_usage_and_statements_and_sees_no_figures()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-usage-denied", "Org Usage Denied", plan: "pro");
        await console.EnsurePricedMeterAsync();
        await console.SendEventsAsync("org-usage-denied", MeteringConsole.Event("denied-1", "usage.call"));
        await using var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("nat", [MeteringPermissions.Ingest], tenant.Id.ToString()));
        var page = member.Page;

        await member.GotoAsync(MeteringRoutes.OrganizationUsage);
        await Expect(page.GetByTestId("forbidden")).ToContainTextAsync(MeteringPermissions.Read);
        await Expect(page.GetByTestId("invoice-preview")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("meter-usage")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("admin-nav").GetByRole(AriaRole.Link, new() { Name = "Usage & billing" })).ToHaveCountAsync(0);

        // Inside the circuit too, where no HTTP request is authorized.
        await page.EvaluateAsync($"() => Blazor.navigateTo('{MeteringRoutes.OrganizationStatements}')");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"{MeteringRoutes.OrganizationStatements}$"));
        await Expect(page.GetByTestId("forbidden")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("statement-table")).ToHaveCountAsync(0);
    }

    /// <summary>The metering API as a member of <paramref name="tenantId"/> holding <paramref name="permissions"/>.</summary>
    private HttpClient MeteringApi(Guid tenantId, params string[] permissions)
    {
        var client = console.Host.CreateClient();
        client.DefaultRequestHeaders.Add(Modular.Testing.TestSignIn.Header, Modular.Testing.TestSignIn.Describe("api-" + tenantId, permissions, tenantId.ToString()));
        return client;
    }
}
