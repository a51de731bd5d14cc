using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Metering.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>The metering plan editor: an operator defines a plan's prices and quotas, changes and deletes it.</summary>
public sealed class PlanEditorTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task An_operator_creates_a_plan_with_tiers_and_a_quota_then_edits_and_deletes_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = console.Host.CreateClientAs("operator", MeteringPermissions.Manage, MeteringPermissions.Read);
        (await api.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" }, ct)).EnsureSuccessStatusCode();
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Plans");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Plans", Exact = true })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Plans · Modular admin");
        await Expect(page.GetByTestId("plan-table")).ToContainTextAsync("No plans yet.");

        // An unknown currency is refused by the same validation as the API, named on its field.
        await page.GetByTestId("create-plan").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByTestId("plan-key-input").FillAsync("gold");
        await dialog.GetByTestId("plan-currency-input").FillAsync("XYZ");
        await dialog.GetByTestId("add-charge").ClickAsync();
        await dialog.GetByTestId("charge-meter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "api-calls", Exact = true }).ClickAsync();
        await dialog.GetByTestId("charge-model").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Graduated", Exact = true }).ClickAsync();
        await dialog.GetByTestId("charge-tiers").FillAsync("100:1; *:0.5");
        await dialog.GetByTestId("add-quota").ClickAsync();
        await dialog.GetByTestId("quota-meter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "api-calls", Exact = true }).ClickAsync();
        await dialog.GetByTestId("quota-limit").FillAsync("1000");
        await dialog.GetByTestId("plan-save").ClickAsync();
        await Expect(dialog).ToContainTextAsync("ISO 4217");

        await dialog.GetByTestId("plan-currency-input").FillAsync("EUR");
        await dialog.GetByTestId("plan-save").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        var row = page.GetByTestId("plan-table").Locator("tbody tr").Filter(new() { HasText = "gold" });
        await Expect(row.GetByTestId("plan-currency")).ToHaveTextAsync("EUR");
        await Expect(row.GetByTestId("plan-charges")).ToHaveTextAsync("api-calls: Graduated");
        await Expect(row.GetByTestId("plan-quotas")).ToHaveTextAsync("api-calls ≤ 1000 (Hard)");
        var plan = (await api.GetFromJsonAsync<PlanDto>(MeteringRoutes.Plan("gold"), ct))!;
        Assert.Equal([(100m, 1m), ((decimal?)null, 0.5m)], Assert.Single(plan.Charges).Tiers!.Select(t => (t.UpTo, t.UnitPrice)));

        // Editing keeps what it does not touch.
        await row.GetByTestId("plan-edit").ClickAsync();
        await Expect(dialog.GetByTestId("charge-tiers")).ToHaveValueAsync("100:1; *:0.5");
        await dialog.GetByTestId("plan-currency-input").FillAsync("USD");
        await dialog.GetByTestId("plan-save").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(row.GetByTestId("plan-currency")).ToHaveTextAsync("USD");
        plan = (await api.GetFromJsonAsync<PlanDto>(MeteringRoutes.Plan("gold"), ct))!;
        Assert.Equal(("USD", 2, 1000m), (plan.Currency, plan.Charges[0].Tiers!.Count, plan.Quotas[0].Limit));

        await row.GetByTestId("plan-delete").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("plan-table")).ToContainTextAsync("No plans yet.");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await api.GetAsync(MeteringRoutes.Plan("gold"), ct)).StatusCode);
        Assert.Empty(admin.Errors);
    }
}
