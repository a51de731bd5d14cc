using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Webhooks.Contracts;
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
        await dialog.GetByTestId("new-endpoint-tenant").FillAsync("acme");
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

        await admin.ChooseActionAsync(row, "endpoint-disable");
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Disabled");
        await admin.ChooseActionAsync(row, "endpoint-enable");
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Enabled");

        // The secret is shown once: stored, it is gone, and a fresh visit does not show it again.
        await page.GetByTestId("secret-stored").ClickAsync();
        await Expect(page.GetByTestId("endpoint-secret")).ToHaveCountAsync(0);
        await admin.ReloadAsync();
        await Expect(page.GetByTestId("endpoint-table")).ToContainTextAsync("https://hooks.acme.example/webhooks");
        await Expect(page.GetByTestId("endpoint-secret")).ToHaveCountAsync(0);

        // Narrowed like every list: by part of the URL (in any case), by tenant (found by typing part of its name, however
        // many tenants there are); emptied, a filter is "Any" again.
        var links = page.GetByTestId("endpoint-link");
        await page.GetByTestId("endpoint-search").FillAsync("no-such-host");
        await Expect(page.GetByTestId("endpoint-table")).ToContainTextAsync("No endpoints match the filters.");
        await page.GetByTestId("endpoint-search").FillAsync("ACME.example/web");
        await Expect(links).ToHaveCountAsync(1);
        await page.GetByTestId("endpoint-tenant-filter").FillAsync("glob");
        await page.GetByRole(AriaRole.Option, new() { Name = "Globex", Exact = true }).ClickAsync();
        await Expect(links).ToHaveCountAsync(0);
        await page.GetByTestId("endpoint-tenant-filter").FillAsync("");
        await Expect(links).ToHaveCountAsync(1);

        // The endpoint's page opens from the row: where it belongs, whose it is, and its (empty) log.
        await page.GetByTestId("endpoint-table").Locator("tbody tr").First.GetByTestId("endpoint-link").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "https://hooks.acme.example/webhooks", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("breadcrumbs")).ToContainTextAsync("Webhooks");
        await Expect(page.GetByTestId("endpoint-facts")).ToContainTextAsync("Acme Corp");
        await Expect(page.GetByTestId("endpoint-success-rate")).ToHaveTextAsync("No delivery attempts in 14 days.");
        await Expect(page.GetByTestId("message-table")).ToContainTextAsync("No messages.");

        // The whole log names each message's tenant and can be narrowed to one: Acme's own tenant.created went nowhere.
        await page.GetByTestId("breadcrumbs").GetByRole(AriaRole.Link, new() { Name = "Webhooks", Exact = true }).ClickAsync();
        await page.GetByTestId("message-log").ClickAsync();
        await page.GetByTestId("filter-tenant").FillAsync("ACME");
        await page.GetByRole(AriaRole.Option, new() { Name = "Acme Corp", Exact = true }).ClickAsync();
        var message = page.GetByTestId("message-table").Locator("tbody tr");
        await Expect(message).ToHaveCountAsync(1);
        await Expect(message.GetByTestId("message-tenant")).ToHaveTextAsync("Acme Corp");
        await Expect(message.GetByTestId("message-event-type")).ToHaveTextAsync("tenant.created");
        await Expect(message.GetByTestId("message-status")).ToHaveTextAsync("no endpoint");
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task The_message_log_shows_a_message_as_soon_as_it_is_stored()
    {
        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync(WebhooksRoutes.ConsoleMessages);
        await page.GetByTestId("filter-tenant").FillAsync("glob");
        await page.GetByRole(AriaRole.Option, new() { Name = "Globex", Exact = true }).ClickAsync();
        var eventTypes = page.GetByTestId("message-table").Locator("tbody tr").GetByTestId("message-event-type");
        await Expect(eventTypes).ToHaveTextAsync(["tenant.created"]);

        // Globex's own administrator sends a message through the API while the operator looks: no reload, no click.
        using var globex = console.Host.CreateClient();
        globex.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("admin-of-globex", [WebhooksPermissions.Manage], "globex"));
        using var sent = await globex.PostAsJsonAsync(
            WebhooksRoutes.Messages, new { eventType = WebhookEventTypes.Test, eventId = "live-1", data = new { n = 1 } }, TestContext.Current.CancellationToken);
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await Expect(eventTypes).ToHaveTextAsync([WebhookEventTypes.Test, "tenant.created"]);
        Assert.Empty(admin.Errors);
    }
}
