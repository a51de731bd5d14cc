using Microsoft.Playwright;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>Only platform admins get the console: everyone else gets a status code and nothing of it.</summary>
public sealed class AccessTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Theory]
    [InlineData("/admin")]
    [InlineData(TenantsRoutes.ConsoleTenants)]
    public async Task An_anonymous_visitor_gets_401_and_no_admin_page(string path)
    {
        await using var visitor = await console.OpenAsync(user: null);

        var response = await visitor.Page.GotoAsync(path);

        Assert.Equal(401, response?.Status);
        await AssertNoAdminContentAsync(visitor);
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData(TenantsRoutes.ConsoleTenants)]
    public async Task A_signed_in_user_without_platform_admin_gets_403_and_no_admin_page(string path)
    {
        await using var reader = await console.OpenAsync(Users.TenantReader);

        var response = await reader.Page.GotoAsync(path);

        Assert.Equal(403, response?.Status);
        await AssertNoAdminContentAsync(reader);
    }

    private static async Task AssertNoAdminContentAsync(AdminPage visitor)
    {
        var page = visitor.Page;
        await Expect(page.GetByTestId("admin-nav")).ToHaveCountAsync(0);
        await Expect(page.Locator(".mud-appbar")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("modules")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("tenant-table")).ToHaveCountAsync(0);
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Modular admin");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Dashboard");
        // Nor does the console's script get a chance: no Blazor, no circuit.
        Assert.DoesNotContain(visitor.Requests, url => url.Contains("/_framework/", StringComparison.Ordinal) || url.Contains("/_blazor", StringComparison.Ordinal));
    }
}
