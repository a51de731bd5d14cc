using Microsoft.Playwright;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.TenantScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// What an operator does to tenants in the console: create, filter, reactivate, delete. One host for the
/// class (tests run one after another in it); each test makes the tenants it needs, with its own slugs.
/// </summary>
public sealed class TenantOperationsTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    private const string Operator = "operator"; // Users.PlatformAdmin's name: the actor the trail must show

    [Fact]
    public async Task The_create_dialog_refuses_a_bad_slug_then_creates_the_tenant_and_opens_it()
    {
        using var api = new TenantsApi(console);
        await api.CreateAsync("create-existing", "Already There"); // the list is not empty
        var before = await api.TotalAsync();
        await using var admin = await OpenListAsync();
        var page = admin.Page;

        await page.GetByTestId("create-tenant").ClickAsync();
        var dialog = Dialog(page);
        await Expect(dialog).ToContainTextAsync("New tenant");
        var slug = page.GetByTestId("new-tenant-slug");
        await slug.FillAsync("Not A Slug!");
        await page.GetByTestId("new-tenant-name").FillAsync("Initech");
        await page.GetByTestId("create-tenant-submit").ClickAsync();

        // The slug's own error, under the field; the dialog stays; nothing was created.
        await Expect(dialog).ToContainTextAsync("Use lower-case letters, digits and inner hyphens only.");
        await Expect(slug).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByTestId("new-tenant-name")).ToHaveAttributeAsync("aria-invalid", "false");
        await Expect(page.GetByTestId("create-tenant-error")).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, TenantsRoutes.ConsoleTenants).ToString());
        Assert.Equal(before, await api.TotalAsync());

        await slug.FillAsync("initech");
        await page.GetByTestId("new-tenant-plan").FillAsync("pro");
        await page.GetByTestId("create-tenant-submit").ClickAsync();

        // Created, and the console is on its page.
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Initech");
        var created = await api.FindAsync("initech");
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, TenantsRoutes.ConsoleTenant(created.Id)).ToString());
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Active);
        await Expect(Fact(page, "Slug")).ToHaveTextAsync("initech");
        await Expect(Fact(page, "Plan")).ToHaveTextAsync("pro");
        await Expect(Fact(page, "Members")).ToHaveTextAsync("0"); // counted by the identity module, through the mediator
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.created"]);
        Assert.Equal(("Initech", "pro", TenantStatuses.Active), (created.Name, created.Plan, created.Status));
        Assert.Equal(before + 1, await api.TotalAsync());
        Assert.Equal(Operator, Assert.Single((await api.AuditAsync(created.Id)).Entries).Actor);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_create_dialog_shows_a_duplicate_slug_as_a_conflict_and_stays_open()
    {
        using var api = new TenantsApi(console);
        await api.CreateAsync("umbrella", "Umbrella Corp");
        var before = await api.TotalAsync();
        await using var admin = await OpenListAsync();
        var page = admin.Page;

        await page.GetByTestId("create-tenant").ClickAsync();
        await page.GetByTestId("new-tenant-slug").FillAsync("umbrella");
        await page.GetByTestId("new-tenant-name").FillAsync("Umbrella Again");
        await page.GetByTestId("create-tenant-submit").ClickAsync();

        await Expect(page.GetByTestId("create-tenant-error")).ToHaveTextAsync("A tenant with slug 'umbrella' already exists.");
        await Expect(Dialog(page)).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("new-tenant-slug")).ToHaveAttributeAsync("aria-invalid", "false"); // a conflict, not a bad field
        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, TenantsRoutes.ConsoleTenants).ToString());
        Assert.Equal(before, await api.TotalAsync());
        Assert.Equal("Umbrella Corp", (await api.FindAsync("umbrella")).Name);

        // Cancel closes it; still nothing new.
        await DialogButton(page, "Cancel").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        Assert.Equal(before, await api.TotalAsync());
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_status_filter_shows_only_tenants_in_that_status()
    {
        using var api = new TenantsApi(console);
        string[] active = ["filter-a1", "filter-a2", "filter-a3"];
        string[] suspended = ["filter-s1", "filter-s2"];
        foreach (var slug in active.Concat(suspended))
        {
            await api.CreateAsync(slug, $"Filter {slug}");
        }

        foreach (var slug in suspended)
        {
            await api.SuspendAsync((await api.FindAsync(slug)).Id, "Filter test");
        }

        // Other tests of the class may have left suspended tenants: the API says how many to expect.
        var expectedSuspended = await api.ListAsync(status: TenantStatuses.Suspended, pageSize: 100);
        var expectedActive = await api.ListAsync(status: TenantStatuses.Active, pageSize: 100);
        await using var admin = await OpenListAsync();
        var page = admin.Page;
        await Expect(Statuses(page).Filter(new() { HasText = TenantStatuses.Suspended })).Not.ToHaveCountAsync(0); // a mix, unfiltered

        await ChooseStatusAsync(page, TenantStatuses.Suspended);

        await Expect(Slugs(page)).ToHaveTextAsync(expectedSuspended.Items.Select(t => t.Slug));
        await Expect(Statuses(page)).ToHaveTextAsync(Enumerable.Repeat(TenantStatuses.Suspended, expectedSuspended.Total));
        await Expect(PagerInfo(page)).ToHaveTextAsync($"1-{expectedSuspended.Total} of {expectedSuspended.Total}");
        foreach (var slug in suspended)
        {
            await Expect(Slugs(page).Filter(new() { HasText = slug })).ToHaveCountAsync(1);
        }

        await Expect(Table(page)).Not.ToContainTextAsync("filter-a");

        // And back the other way.
        await ChooseStatusAsync(page, TenantStatuses.Active);

        await Expect(Slugs(page)).ToHaveTextAsync(expectedActive.Items.Select(t => t.Slug));
        await Expect(Statuses(page)).ToHaveTextAsync(Enumerable.Repeat(TenantStatuses.Active, expectedActive.Total));
        await Expect(Table(page)).Not.ToContainTextAsync("filter-s");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Reactivate_asks_first_cancel_keeps_the_suspension_and_confirm_ends_it()
    {
        using var api = new TenantsApi(console);
        var tenant = await api.CreateAsync("reactivate-me", "Reactivate Me");
        await api.SuspendAsync(tenant.Id, "Chargeback");
        await using var admin = await OpenDetailAsync(tenant.Id, "Reactivate Me");
        var page = admin.Page;
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Suspended);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.suspended", "tenant.created"]);

        // Cancel: nothing happens.
        await page.GetByTestId("reactivate-tenant").ClickAsync();
        await Expect(Dialog(page)).ToContainTextAsync("Reactivate Me will be able to use the platform again.");
        await DialogButton(page, "Cancel").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Suspended);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.suspended", "tenant.created"]);
        Assert.Equal(TenantStatuses.Suspended, (await api.GetAsync(tenant.Id)).Status);
        Assert.Equal(2, (await api.AuditAsync(tenant.Id)).Entries.Count);

        // Confirm: active again, on the timeline, under the operator's name.
        await page.GetByTestId("reactivate-tenant").ClickAsync();
        await DialogButton(page, "Reactivate").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Active);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.reactivated", "tenant.suspended", "tenant.created"]);
        await Expect(page.GetByTestId("audit-chain")).ToHaveTextAsync("audit chain intact");
        await Expect(Fact(page, "Suspended")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("reactivate-tenant")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("suspend-tenant")).ToBeVisibleAsync();

        var reactivated = await api.GetAsync(tenant.Id);
        Assert.Equal(TenantStatuses.Active, reactivated.Status);
        Assert.Null(reactivated.SuspensionReason);
        var trail = await api.AuditAsync(tenant.Id);
        Assert.True(trail.ChainIntact);
        Assert.Equal(["tenant.created", "tenant.suspended", "tenant.reactivated"], trail.Entries.Select(e => e.Action));
        Assert.Equal(Operator, trail.Entries[^1].Actor);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Delete_asks_first_cancel_keeps_the_tenant_and_confirm_schedules_its_purge()
    {
        using var api = new TenantsApi(console);
        var tenant = await api.CreateAsync("delete-me", "Delete Me");
        await using var admin = await OpenDetailAsync(tenant.Id, "Delete Me");
        var page = admin.Page;
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Active);

        // Cancel: nothing happens.
        await page.GetByTestId("delete-tenant").ClickAsync();
        await Expect(Dialog(page)).ToContainTextAsync("purged, with all its data, after 30 days");
        await DialogButton(page, "Cancel").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.Active);
        await Expect(Fact(page, "Purged after")).ToHaveCountAsync(0);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.created"]);
        Assert.Equal(TenantStatuses.Active, (await api.GetAsync(tenant.Id)).Status);
        Assert.Single((await api.AuditAsync(tenant.Id)).Entries);

        // Confirm: pending deletion, purged 30 days from now, on the timeline, under the operator's name.
        await page.GetByTestId("delete-tenant").ClickAsync();
        await DialogButton(page, "Delete").ClickAsync();
        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-status")).ToHaveTextAsync(TenantStatuses.PendingDeletion);
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.deletion_scheduled", "tenant.created"]);
        await Expect(page.GetByTestId("audit-chain")).ToHaveTextAsync("audit chain intact");
        await Expect(page.GetByTestId("delete-tenant")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("reactivate-tenant")).ToBeVisibleAsync();

        var deleting = await api.GetAsync(tenant.Id);
        Assert.Equal(TenantStatuses.PendingDeletion, deleting.Status);
        var purgeAfter = Assert.NotNull(deleting.PurgeAfter);
        await Expect(Fact(page, "Purged after").Locator("time")).ToHaveAttributeAsync("datetime", purgeAfter.UtcDateTime.ToString("O"));
        var trail = await api.AuditAsync(tenant.Id);
        Assert.True(trail.ChainIntact);
        var scheduled = trail.Entries[^1];
        Assert.Equal("tenant.deletion_scheduled", scheduled.Action);
        Assert.Equal(Operator, scheduled.Actor);
        Assert.Equal(scheduled.OccurredAt.AddDays(30), purgeAfter);
        Assert.Empty(admin.Errors);
    }

    private async Task<AdminPage> OpenListAsync()
    {
        var admin = await console.OpenAsync(Users.PlatformAdmin);
        await admin.GotoAsync(TenantsRoutes.ConsoleTenants);
        await Expect(Rows(admin.Page)).Not.ToHaveCountAsync(0);
        return admin;
    }

    private async Task<AdminPage> OpenDetailAsync(Guid id, string name)
    {
        var admin = await console.OpenAsync(Users.PlatformAdmin);
        await admin.GotoAsync(TenantsRoutes.ConsoleTenant(id));
        await Expect(admin.Page.GetByTestId("tenant-name")).ToHaveTextAsync(name);
        return admin;
    }

    private static async Task ChooseStatusAsync(IPage page, string status)
    {
        await page.GetByTestId("tenant-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = status, Exact = true }).ClickAsync();
        // With a value, MudSelect shows it in a div (the test id moves there from the empty input).
        await Expect(page.GetByTestId("tenant-status-filter")).ToHaveTextAsync(status);
    }
}
