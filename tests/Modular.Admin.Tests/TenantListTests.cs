using Microsoft.Playwright;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

public sealed class TenantListTests(TenantsSeeded console) : IClassFixture<TenantsSeeded>
{
    [Fact]
    public async Task The_Tenants_link_opens_the_tenant_list_with_the_tenants_created_through_the_API()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync("/admin");
        var requestsBeforeClick = admin.Requests.Count;

        await admin.FollowMenuLinkAsync("Tenants");

        await Expect(page).ToHaveURLAsync(new Uri(console.BaseAddress, TenantsRoutes.ConsoleTenants).ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tenants", Exact = true })).ToBeVisibleAsync();
        await Expect(page).ToHaveTitleAsync("Tenants · Modular admin");
        var rows = Rows(page);
        await Expect(rows).ToHaveCountAsync(TenantsSeeded.Tenants.Length);
        foreach (var (slug, name) in TenantsSeeded.Tenants)
        {
            var row = rows.Filter(new() { HasText = name });
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row.Locator("td").First).ToHaveTextAsync(slug);
            await Expect(row).ToContainTextAsync("Active");
        }

        // The circuit's router took the click: no page load, no fetch of /admin/tenants.
        Assert.DoesNotContain(admin.Requests.Skip(requestsBeforeClick), url => new Uri(url).AbsolutePath == TenantsRoutes.ConsoleTenants);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Times_read_as_words_with_the_exact_time_in_the_viewers_own_time_zone()
    {
        // Tokyo keeps no summer time: UTC+09:00 the whole year.
        await using var admin = await console.OpenAsync(Users.PlatformAdmin, timeZone: "Asia/Tokyo");
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenants);

        var created = Rows(page).Filter(new() { HasText = TenantsSeeded.Tenants[0].Name }).Locator("time");
        await Expect(created).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(Asia/Tokyo, UTC\+09:00\)$"));
        await Expect(created).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(" ago$|^now$"));
        var instant = DateTimeOffset.Parse(await created.GetAttributeAsync("datetime") ?? "", System.Globalization.CultureInfo.InvariantCulture);
        var shown = await created.GetAttributeAsync("title");
        Assert.StartsWith(instant.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), shown);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task Searching_filters_the_tenant_rows_on_the_server()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(TenantsRoutes.ConsoleTenants);
        var table = page.GetByTestId("tenant-table");
        var rows = Rows(page);
        await Expect(rows).ToHaveCountAsync(2);
        var search = page.GetByTestId("tenant-search");

        await search.FillAsync("glo");
        await search.PressAsync("Enter");

        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Globex");
        await Expect(table).Not.ToContainTextAsync("Acme Corp");
        await Expect(table).ToContainTextAsync("1-1 of 1"); // the pager shows the server's total

        // By name too, not only by slug.
        await search.FillAsync("corp");
        await search.PressAsync("Enter");

        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("Acme Corp");
        await Expect(table).Not.ToContainTextAsync("Globex");

        await search.FillAsync("nobody");
        await search.PressAsync("Enter");

        await Expect(table).ToContainTextAsync("No tenants match.");
        await Expect(table).Not.ToContainTextAsync("Acme Corp");
        Assert.Empty(admin.Errors);
    }

    private static ILocator Rows(IPage page) =>
        page.GetByTestId("tenant-table").Locator("tbody tr").Filter(new() { HasNotText = "No tenants match." });
}
