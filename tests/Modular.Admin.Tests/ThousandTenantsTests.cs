using Microsoft.Playwright;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.TenantScreens;

namespace Modular.Admin.Tests;

/// <summary>The tenant console at scale: 1,000 tenants, paged, searched and acted on from the browser.</summary>
public sealed class ThousandTenantsTests(ThousandTenants console) : IClassFixture<ThousandTenants>
{
    /// <summary>The tenant <see cref="Typing_a_suspension_reason_enables_Suspend_at_once"/> suspends once the page is fixed.</summary>
    private const string SuspendedByBugTest = "tenant-0777";

    [Fact]
    public async Task With_1000_tenants_an_operator_pages_searches_and_suspends_one()
    {
        using var api = new TenantsApi(console);
        var firstPage = await api.ListAsync(page: 1);
        var secondPage = await api.ListAsync(page: 2);
        Assert.Equal(ThousandTenants.Count, firstPage.Total);
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenants);

        // Page 1: 20 rows, the server's total in the pager, the API's first page in the API's order.
        await Expect(PagerInfo(page)).ToHaveTextAsync("1-20 of 1,000");
        await Expect(Slugs(page)).ToHaveTextAsync(firstPage.Items.Select(t => t.Slug));

        // Page 2 comes from the server: the next 20, none of them on page 1.
        await Table(page).GetByRole(AriaRole.Button, new() { Name = "Next page", Exact = true }).ClickAsync();
        await Expect(PagerInfo(page)).ToHaveTextAsync("21-40 of 1,000");
        await Expect(Slugs(page)).ToHaveTextAsync(secondPage.Items.Select(t => t.Slug));
        Assert.Empty(firstPage.Items.Select(t => t.Slug).Intersect(secondPage.Items.Select(t => t.Slug)));

        // One tenant far beyond the first pages, found by its slug (searched from page 2).
        const string slug = "tenant-0421";
        Assert.DoesNotContain(slug, firstPage.Items.Concat(secondPage.Items).Select(t => t.Slug));
        var tenant = await api.FindAsync(slug);
        var search = page.GetByTestId("tenant-search");
        await search.FillAsync(slug);
        await search.PressAsync("Enter");
        await Expect(PagerInfo(page)).ToHaveTextAsync("1-1 of 1");
        await Expect(Slugs(page)).ToHaveTextAsync([slug]);
        await Expect(Rows(page)).ToContainTextAsync("Tenant 0421");
        await Expect(Statuses(page)).ToHaveTextAsync([TenantStatuses.Active]);

        // Its row opens its page.
        await Rows(page).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, TenantsRoutes.ConsoleTenant(tenant.Id)).ToString());
        await Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Tenant 0421");
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Active);
        await Expect(Fact(page, "Slug")).ToHaveTextAsync(slug);

        // Suspend it, with a reason, through the dialog.
        const string reason = "Unpaid invoices since March";
        await page.GetByTestId("suspend-tenant").ClickAsync();
        await Expect(Dialog(page)).ToContainTextAsync("Suspend Tenant 0421?");
        await page.GetByTestId("suspend-reason").FillAsync(reason);
        await page.GetByTestId("suspend-confirm").ClickAsync();

        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Suspended);
        await Expect(Fact(page, "Suspended")).ToContainTextAsync(reason);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.suspended", "tenant.created"]);
        await Expect(page.GetByTestId("audit-chain")).ToHaveTextAsync("audit chain intact");
        await Expect(page.GetByTestId("suspend-tenant")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("reactivate-tenant")).ToBeVisibleAsync();

        // The API agrees, and the trail names the operator.
        var suspended = await api.GetAsync(tenant.Id);
        Assert.Equal(TenantStatuses.Suspended, suspended.Status);
        Assert.Equal(reason, suspended.SuspensionReason);
        Assert.NotNull(suspended.SuspendedAt);
        var trail = await api.AuditAsync(tenant.Id);
        Assert.True(trail.ChainIntact);
        var last = trail.Entries[^1];
        Assert.Equal("tenant.suspended", last.Action);
        Assert.Equal("operator", last.Actor);
        Assert.Contains(reason, last.Data, StringComparison.Ordinal);

        // Only that one (of those this test touches): its neighbours are as they were.
        var others = (await api.ListAsync(status: TenantStatuses.Suspended, pageSize: 100)).Items.Select(t => t.Slug).Where(s => s != SuspendedByBugTest);
        Assert.Equal([slug], others);
        Assert.Equal(TenantStatuses.Active, (await api.FindAsync("tenant-0420")).Status);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task With_1000_tenants_the_webhook_log_names_every_rows_tenant_and_filters_by_any_of_them()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(Modular.Webhooks.Contracts.WebhooksRoutes.ConsoleMessages);

        // Each tenant's tenant.created is a message: the newest page's tenants are named, not shown as ids.
        var tenants = page.GetByTestId("message-table").GetByTestId("message-tenant");
        await Expect(tenants).ToHaveCountAsync(20);
        foreach (var name in await tenants.AllInnerTextsAsync())
        {
            Assert.Matches(@"^Tenant \d{4}$", name);
        }

        // One of the oldest, far beyond any first page of tenants, found by typing.
        await page.GetByTestId("filter-tenant").FillAsync("0007");
        await page.GetByRole(AriaRole.Option, new() { Name = ThousandTenants.Name(7), Exact = true }).ClickAsync();
        await Expect(tenants).ToHaveTextAsync([ThousandTenants.Name(7)]);
        await Expect(page.GetByTestId("message-table").GetByTestId("message-event-type")).ToHaveTextAsync(["tenant.created"]);
        Assert.Empty(admin.Errors);
    }

    /// <summary>
    /// Regression: the reason used to bind on change only, so after typing it Suspend stayed disabled
    /// and the first click on it was lost (the dialog stayed open, the tenant active).
    /// </summary>
    [Fact]
    public async Task Typing_a_suspension_reason_enables_Suspend_at_once()
    {
        using var api = new TenantsApi(console);
        var tenant = await api.FindAsync(SuspendedByBugTest);
        Assert.Equal(TenantStatuses.Active, tenant.Status);
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenant(tenant.Id));
        await Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Tenant 0777");

        await page.GetByTestId("suspend-tenant").ClickAsync();
        var confirm = page.GetByTestId("suspend-confirm");
        await Expect(confirm).ToBeDisabledAsync(); // no reason yet
        await page.GetByTestId("suspend-reason").FillAsync("Abuse report 1234");

        await Expect(confirm).ToBeEnabledAsync(); // while the field still has focus

        await confirm.ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Suspended);
        var suspended = await api.GetAsync(tenant.Id);
        Assert.Equal(TenantStatuses.Suspended, suspended.Status);
        Assert.Equal("Abuse report 1234", suspended.SuspensionReason);
        Assert.Empty(admin.Errors);
    }
}
