using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.TenantScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// An operator edits a tenant: its name, its plan (picked from the plans metering defines) and its metadata, in one
/// dialog that the API's rules judge. A class of its own: its plans would turn the create dialog's typed plan into a pick.
/// </summary>
public sealed class TenantEditTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task An_operator_renames_a_tenant_moves_it_to_a_defined_plan_and_edits_its_metadata()
    {
        var ct = TestContext.Current.CancellationToken;
        using var metering = console.Host.CreateClientAs("seed", MeteringPermissions.Manage);
        foreach (var (key, title) in new[] { ("starter", "Starter"), ("scale", "Scale") })
        {
            (await metering.PostAsJsonAsync(MeteringRoutes.Plans, new { key, name = title, currency = "EUR" }, ct)).EnsureSuccessStatusCode();
        }

        using var api = new TenantsApi(console);
        var tenant = await api.CreateAsync("edit-me", "Edit Me", plan: "starter");
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenant(tenant.Id));
        await Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Edit Me");

        await page.GetByTestId("edit-tenant").ClickAsync();
        var name = page.GetByTestId("edit-tenant-name");
        await Expect(name).ToHaveValueAsync("Edit Me");
        await Expect(page.GetByTestId("edit-tenant-plan")).ToHaveValueAsync("Starter (starter)");

        // An empty name: the API's own message under the field; nothing saved.
        await name.FillAsync("");
        await page.GetByTestId("edit-tenant-submit").ClickAsync();
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Dialog(page)).ToContainTextAsync("must not be empty");
        Assert.Equal("Edit Me", (await api.GetAsync(tenant.Id)).Name);

        // Two entries with one key are refused before anything is sent.
        await page.GetByTestId("metadata-add").ClickAsync();
        await page.GetByTestId("metadata-add").ClickAsync();
        await page.GetByTestId("metadata-key").Nth(0).FillAsync("crm-id");
        await page.GetByTestId("metadata-key").Nth(1).FillAsync("crm-id");
        await page.GetByTestId("edit-tenant-submit").ClickAsync();
        await Expect(page.GetByTestId("metadata-error")).ToHaveTextAsync("Each key once.");
        await page.GetByTestId("metadata-remove").Nth(1).ClickAsync();
        await Expect(page.GetByTestId("metadata-entry")).ToHaveCountAsync(1);

        await name.FillAsync("Edited Co");
        await page.GetByTestId("metadata-value").FillAsync("42");
        await page.GetByTestId("edit-tenant-plan").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option)).ToHaveTextAsync(["Scale (scale)", "Starter (starter)"]); // by key
        await page.GetByRole(AriaRole.Option, new() { Name = "Scale (scale)", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("edit-tenant-plan")).ToHaveValueAsync("Scale (scale)");
        await page.GetByTestId("edit-tenant-submit").ClickAsync();

        await Expect(Dialog(page)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Edited Co");
        await Expect(Fact(page, "Plan")).ToHaveTextAsync("scale");
        await Expect(Fact(page, "crm-id")).ToHaveTextAsync("42");
        await Expect(TimelineActions(page)).ToHaveTextAsync(["tenant.metadata_changed", "tenant.plan_changed", "tenant.renamed", "tenant.created"]);
        // Each change in words, before → after, not as JSON.
        var changes = page.GetByTestId("tenant-timeline").GetByTestId("audit-data");
        await Expect(changes.Nth(1)).ToHaveTextAsync("starter → scale");
        await Expect(changes.Nth(2)).ToHaveTextAsync("Edit Me → Edited Co");
        var saved = await api.GetAsync(tenant.Id);
        Assert.Equal(("Edited Co", "scale"), (saved.Name, saved.Plan));
        Assert.Equal(("crm-id", "42"), (Assert.Single(saved.Metadata).Key, saved.Metadata["crm-id"]));
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_change_made_meanwhile_is_not_overwritten()
    {
        using var api = new TenantsApi(console);
        var tenant = await api.CreateAsync("edited-twice", "Edited Twice");
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenant(tenant.Id));
        await Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync("Edited Twice");
        await page.GetByTestId("edit-tenant").ClickAsync();
        await page.GetByTestId("edit-tenant-name").FillAsync("Console's Name");

        await api.RenameAsync(tenant.Id, "Someone Else's Name");
        await page.GetByTestId("edit-tenant-submit").ClickAsync();

        await Expect(page.GetByTestId("edit-tenant-error")).ToContainTextAsync("read it again and retry");
        await Expect(Dialog(page)).ToHaveCountAsync(1);
        Assert.Equal("Someone Else's Name", (await api.GetAsync(tenant.Id)).Name);
    }
}
