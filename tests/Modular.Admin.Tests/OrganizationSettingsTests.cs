using Microsoft.Playwright;
using Modular.Tenants.Contracts;
using Modular.Testing;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>The organization area's settings (<c>/org/settings</c>): a tenant's admins rename it and change its slug.</summary>
public sealed class OrganizationSettingsTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task An_admin_renames_the_organization_and_changes_its_slug_and_a_taken_or_reserved_slug_is_refused_on_its_field()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-settings", "Org Settings");
        await tenants.CreateAsync("org-settings-taken", "Someone Else");
        await using var admin = await console.OpenAsync(TestSignIn.Describe("ada", [TenantsPermissions.SettingsManage], tenant.Id.ToString()));
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.OrganizationSettings);
        var name = page.GetByTestId("settings-name");
        var slug = page.GetByTestId("settings-slug");
        await Expect(name).ToHaveValueAsync("Org Settings");
        await Expect(slug).ToHaveValueAsync("org-settings");

        // Checked as it is typed, then refused on save by the same rules: nothing is saved.
        await slug.FillAsync("org-settings-taken");
        await Expect(page.GetByTestId("slug-availability")).ToContainTextAsync("org-settings-taken is taken.");
        await page.GetByTestId("settings-save").ClickAsync();
        await Expect(page.GetByText("This slug is taken; choose another.")).ToBeVisibleAsync();

        await slug.FillAsync("admin");
        await Expect(page.GetByTestId("slug-availability")).ToContainTextAsync("admin is reserved for the platform.");
        await page.GetByTestId("settings-save").ClickAsync();
        await Expect(page.GetByText("This slug is reserved for the platform; choose another.")).ToBeVisibleAsync();
        var unchanged = await tenants.GetAsync(tenant.Id);
        Assert.Equal(("org-settings", "Org Settings", 1), (unchanged.Slug, unchanged.Name, unchanged.Version));

        await name.FillAsync("Org Renamed");
        await slug.FillAsync("org-renamed");
        await Expect(page.GetByTestId("slug-availability")).ToHaveTextAsync("org-renamed is available.");
        await page.GetByTestId("settings-save").ClickAsync();
        await Expect(page.GetByText("Settings saved")).ToBeVisibleAsync();

        var saved = await tenants.GetAsync(tenant.Id);
        Assert.Equal(("org-renamed", "Org Renamed"), (saved.Slug, saved.Name));
        var slugChange = Assert.Single((await tenants.AuditAsync(tenant.Id)).Entries, e => e.Action == "tenant.slug_changed");
        Assert.Equal("ada", slugChange.Actor);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_member_without_the_permission_gets_forbidden_and_no_settings()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-settings-member", "Secret Settings Name");
        await using var member = await console.OpenAsync(TestSignIn.Describe("mel", [TenantsPermissions.AuditRead], tenant.Id.ToString()));

        await member.GotoAsync(TenantsRoutes.OrganizationSettings);

        await Expect(member.Page.GetByTestId("forbidden")).ToContainTextAsync(TenantsPermissions.SettingsManage);
        await Expect(member.Page.GetByTestId("tenant-settings")).ToHaveCountAsync(0);
        await Expect(member.Page.Locator("body")).Not.ToContainTextAsync("Secret Settings Name");
        await Expect(member.Page.GetByTestId("admin-nav").GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToHaveCountAsync(0);
    }
}
