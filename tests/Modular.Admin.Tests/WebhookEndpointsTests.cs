using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

public sealed class WebhookEndpointsTests(TenantsSeeded console) : IClassFixture<TenantsSeeded>
{
    [Fact]
    public async Task An_operator_creates_an_endpoint_sees_its_secret_once_and_disables_it()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync("/admin");

        await admin.FollowMenuLinkAsync("Webhooks");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("endpoint-table")).ToContainTextAsync("No endpoints yet.");

        // A private address is refused by the same validation as the API, named on its field.
        await page.GetByTestId("create-endpoint").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByTestId("new-endpoint-tenant").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Acme Corp", Exact = true }).ClickAsync();
        await dialog.GetByTestId("new-endpoint-url").FillAsync("https://10.0.0.5/hooks");
        await dialog.GetByTestId("create-endpoint-submit").ClickAsync();
        await Expect(dialog).ToContainTextAsync("private, loopback or link-local");

        await dialog.GetByTestId("new-endpoint-url").FillAsync("https://hooks.acme.example/webhooks");
        await dialog.GetByTestId("create-endpoint-submit").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await Expect(page.GetByTestId("endpoint-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_[A-Za-z0-9+/]{43}=$"));
        var row = page.GetByTestId("endpoint-table").Locator("tbody tr").Filter(new() { HasText = "https://hooks.acme.example/webhooks" });
        await Expect(row).ToContainTextAsync("Acme Corp");
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Enabled");

        await row.GetByTestId("endpoint-disable").ClickAsync();
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Disabled");
        await row.GetByTestId("endpoint-enable").ClickAsync();
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Enabled");

        // The secret is shown once: stored, it is gone, and a fresh visit does not show it again.
        await page.GetByTestId("secret-stored").ClickAsync();
        await Expect(page.GetByTestId("endpoint-secret")).ToHaveCountAsync(0);
        await admin.ReloadAsync();
        await Expect(page.GetByTestId("endpoint-table")).ToContainTextAsync("https://hooks.acme.example/webhooks");
        await Expect(page.GetByTestId("endpoint-secret")).ToHaveCountAsync(0);

        // The message log opens from the row.
        await page.GetByTestId("endpoint-table").Locator("tbody tr").First.GetByTestId("endpoint-messages").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhook messages", Exact = true })).ToBeVisibleAsync();
        Assert.Empty(admin.Errors);
    }
}
