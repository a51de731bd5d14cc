using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Modular.Webhooks.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// A tenant's own webhooks in the organization area (<c>/org/webhooks</c>): its endpoints, and each message with every
/// attempt to deliver it, delivered for real to a receiver on this machine; never another tenant's.
/// </summary>
public sealed class OrganizationWebhooksTests(OrganizationWebhooksConsole console) : IClassFixture<OrganizationWebhooksConsole>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_creates_an_endpoint_sends_it_a_test_event_and_reads_the_attempt_in_the_message_log()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-hooks", "Org Hooks");
        var other = await tenants.CreateAsync("org-hooks-other", "Org Hooks Other");
        using var otherApi = WebhooksApi(other.Id);
        (await otherApi.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://hooks.other.example/secret-path" }, Cancellation)).EnsureSuccessStatusCode();
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = (_, http) => http.Response.WriteAsync("received");
        await using var admin = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("wes", [WebhooksPermissions.Read, WebhooksPermissions.Manage], tenant.Id.ToString()));
        var page = admin.Page;
        await admin.GotoAsync("/org");

        await admin.FollowMenuLinkAsync("Webhooks");
        await Expect(page.GetByTestId("endpoint-table")).ToContainTextAsync("No endpoints yet.");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("hooks.other.example");

        // The tenant is the session's: nothing to pick. The event types are the catalogue's.
        await page.GetByTestId("create-endpoint").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("new-endpoint-url")).ToBeVisibleAsync();
        await Expect(dialog.GetByTestId("new-endpoint-tenant")).ToHaveCountAsync(0);
        await dialog.GetByTestId("new-endpoint-url").FillAsync("https://10.0.0.5/hooks");
        await dialog.GetByTestId("create-endpoint-submit").ClickAsync();
        await Expect(dialog).ToContainTextAsync("private, loopback or link-local");

        await dialog.GetByTestId("new-endpoint-url").FillAsync(receiver.Url);
        await dialog.GetByTestId("new-endpoint-events").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = WebhookEventTypes.Test }).ClickAsync();
        // A multi-select stays open after a pick. Escape reaches it only once MudSelect has taken the focus back over
        // the circuit, so close it as a pointer does: a press outside it, on the field above the list (its overlay lets
        // the press through).
        await dialog.GetByTestId("new-endpoint-url").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option, new() { Name = WebhookEventTypes.Test })).ToHaveCountAsync(0);
        await dialog.GetByTestId("new-endpoint-description").FillAsync("Our receiver");
        await dialog.GetByTestId("create-endpoint-submit").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        await Expect(page.GetByTestId("endpoint-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_[A-Za-z0-9+/]{43}=$"));
        await page.GetByTestId("secret-stored").ClickAsync();
        await Expect(page.GetByTestId("endpoint-secret")).ToHaveCountAsync(0);
        var row = page.GetByTestId("endpoint-table").Locator("tbody tr").Filter(new() { HasText = receiver.Url });
        await Expect(row.GetByTestId("endpoint-events")).ToHaveTextAsync(WebhookEventTypes.Test);
        await Expect(row.GetByTestId("endpoint-description")).ToHaveTextAsync("Our receiver");
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Enabled");

        await admin.ChooseActionAsync(row, "endpoint-disable");
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Disabled");
        await admin.ChooseActionAsync(row, "endpoint-enable");
        await Expect(row.GetByTestId("endpoint-status")).ToHaveTextAsync("Enabled");

        // Delivered for real; the log is read once the attempt is recorded.
        await admin.ChooseActionAsync(row, "endpoint-test");
        await receiver.FirstRequest.Task.WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
        using var api = WebhooksApi(tenant.Id);
        await Modular.Testing.Eventually.HoldsAsync(async () => await AttemptsAsync(api) == 1, "the test event's attempt is recorded");

        // The endpoint's page: its day's deliveries in words, and its log with the log's filters.
        await row.GetByTestId("endpoint-link").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = receiver.Url, Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("endpoint-success-rate")).ToContainTextAsync("1 of 1 attempts succeeded (100%)");
        var message = page.GetByTestId("message-table").Locator("tbody tr");
        await Expect(message.GetByTestId("message-status")).ToHaveTextAsync(WebhookDeliveryStatuses.Succeeded);
        await ChooseFilterAsync(page, "filter-status", WebhookDeliveryStatuses.Failed);
        await Expect(page.GetByTestId("message-table")).ToContainTextAsync("No messages.");
        await ChooseFilterAsync(page, "filter-status", WebhookDeliveryStatuses.Succeeded);
        await Expect(message).ToHaveCountAsync(1);
        await Expect(message.GetByTestId("message-event-type")).ToHaveTextAsync(WebhookEventTypes.Test);
        await message.ClickAsync();
        await Expect(page.GetByTestId("message-detail")).ToBeInViewportAsync();
        var delivery = page.GetByTestId("message-detail").GetByTestId("message-delivery");
        await Expect(delivery.GetByTestId("delivery-status")).ToHaveTextAsync(WebhookDeliveryStatuses.Succeeded);
        await Expect(delivery.GetByTestId("attempt-status")).ToHaveTextAsync("200");
        await Expect(delivery.GetByTestId("attempt-response")).ToHaveTextAsync("received");

        // A resend is one more (manual) attempt, shown once it is recorded.
        await delivery.GetByTestId("message-resend").ClickAsync();
        await Expect(page.GetByText("Queued for one more attempt")).ToBeVisibleAsync();
        await Modular.Testing.Eventually.HoldsAsync(async () => await AttemptsAsync(api) == 2, "the resend's attempt is recorded");
        await page.GetByTestId("message-refresh").ClickAsync();
        await Expect(delivery.GetByTestId("attempt")).ToHaveCountAsync(2);
        await Expect(delivery.GetByTestId("attempt-trigger").GetByText("Manual", new() { Exact = true })).ToHaveCountAsync(1);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_admin_edits_an_endpoint_rotates_its_secret_and_deletes_it()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-hooks-edit", "Org Hooks Edit");
        using var api = WebhooksApi(tenant.Id);
        using var created = await api.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://hooks.edit.example/a", description = "First" }, Cancellation);
        var first = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<CreatedWebhookEndpoint>(Cancellation))!;
        await using var admin = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("ed", [WebhooksPermissions.Read, WebhooksPermissions.Manage], tenant.Id.ToString()));
        var page = admin.Page;
        await admin.GotoAsync(WebhooksRoutes.OrganizationWebhooks);
        var row = page.GetByTestId("endpoint-table").Locator("tbody tr").Filter(new() { HasText = "https://hooks.edit.example/a" });
        await Expect(row.GetByTestId("endpoint-events")).ToHaveTextAsync("all");

        await admin.ChooseActionAsync(row, "endpoint-edit");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("new-endpoint-url")).ToHaveValueAsync("https://hooks.edit.example/a");
        await dialog.GetByTestId("new-endpoint-url").FillAsync("https://hooks.edit.example/b");
        await dialog.GetByTestId("new-endpoint-description").FillAsync("Second");
        await dialog.GetByTestId("create-endpoint-submit").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        row = page.GetByTestId("endpoint-table").Locator("tbody tr").Filter(new() { HasText = "https://hooks.edit.example/b" });
        await Expect(row.GetByTestId("endpoint-description")).ToHaveTextAsync("Second");

        // The new secret is shown once, and it is not the first one.
        await admin.ChooseActionAsync(row, "endpoint-rotate");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Rotate", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("endpoint-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_"));
        Assert.NotEqual(first.Secret, await page.GetByTestId("endpoint-secret").InnerTextAsync());

        await admin.ChooseActionAsync(row, "endpoint-delete");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("endpoint-table")).ToContainTextAsync("No endpoints yet.");
        var endpoints = await api.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.Endpoints, Cancellation);
        Assert.Empty(endpoints!);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task A_member_who_may_only_read_sees_the_endpoints_but_is_offered_no_change()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-hooks-reader", "Org Hooks Reader");
        using var api = WebhooksApi(tenant.Id);
        (await api.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://hooks.reader.example/in" }, Cancellation)).EnsureSuccessStatusCode();
        await using var reader = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("rita", [WebhooksPermissions.Read], tenant.Id.ToString()));
        var page = reader.Page;

        await reader.GotoAsync(WebhooksRoutes.OrganizationWebhooks);

        var row = page.GetByTestId("endpoint-table").Locator("tbody tr").Filter(new() { HasText = "https://hooks.reader.example/in" });
        await Expect(row.GetByTestId("endpoint-link")).ToBeVisibleAsync();
        foreach (var change in new[] { "create-endpoint", "endpoint-actions", "endpoint-test", "endpoint-edit", "endpoint-rotate", "endpoint-disable", "endpoint-delete" })
        {
            await Expect(page.GetByTestId(change)).ToHaveCountAsync(0);
        }
    }

    /// <summary>Picks <paramref name="option"/> in the message log's filter <paramref name="filterTestId"/>.</summary>
    private static async Task ChooseFilterAsync(IPage page, string filterTestId, string option)
    {
        await page.GetByTestId(filterTestId).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }

    /// <summary>How many attempts the tenant's test event has had, as the API tells.</summary>
    private static async Task<int> AttemptsAsync(HttpClient api)
    {
        var messages = await api.GetFromJsonAsync<WebhookMessagePage>(WebhooksRoutes.Messages, Cancellation);
        var test = Assert.Single(messages!.Items, m => m.EventType == WebhookEventTypes.Test); // tenant.created may be in the log too
        var detail = await api.GetFromJsonAsync<WebhookMessageDetailDto>(WebhooksRoutes.Message(test.Id), Cancellation);
        return detail!.Deliveries.Single().AttemptLog.Count;
    }

    [Fact]
    public async Task A_member_without_the_webhooks_permission_is_refused_and_another_tenants_endpoints_never_show()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-hooks-denied", "Org Hooks Denied");
        var victim = await tenants.CreateAsync("org-hooks-victim", "Org Hooks Victim");
        using var victimApi = WebhooksApi(victim.Id);
        using var created = await victimApi.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://hooks.victim.example/private" }, Cancellation);
        var victimEndpoint = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<CreatedWebhookEndpoint>(Cancellation))!.Endpoint;
        (await victimApi.PostAsync(WebhooksRoutes.SendTestEvent(victimEndpoint.Id), null, Cancellation)).EnsureSuccessStatusCode();

        await using (var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("mo", [], tenant.Id.ToString())))
        {
            await member.GotoAsync(WebhooksRoutes.OrganizationWebhooks);
            await Expect(member.Page.GetByTestId("forbidden")).ToContainTextAsync(WebhooksPermissions.Read);
            await Expect(member.Page.GetByTestId("endpoint-table")).ToHaveCountAsync(0);
            await member.GotoAsync(WebhooksRoutes.OrganizationMessages);
            await Expect(member.Page.GetByTestId("forbidden")).ToBeVisibleAsync();
            await Expect(member.Page.GetByTestId("message-table")).ToHaveCountAsync(0);
        }

        // Holding every webhooks permission in its own tenant, a member reaches nothing of the victim's, even by its endpoint's id.
        await using var attacker = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("eve", [WebhooksPermissions.Read, WebhooksPermissions.Manage], tenant.Id.ToString()));
        await attacker.GotoAsync(WebhooksRoutes.OrganizationWebhooks);
        await Expect(attacker.Page.GetByTestId("endpoint-table")).ToContainTextAsync("No endpoints yet.");
        await attacker.GotoAsync(WebhooksRoutes.OrganizationEndpointMessages(victimEndpoint.Id));
        await Expect(attacker.Page.GetByTestId("message-table")).ToContainTextAsync("No messages.");
        await Expect(attacker.Page.Locator("body")).Not.ToContainTextAsync("hooks.victim.example");
        await attacker.GotoAsync(WebhooksRoutes.OrganizationEndpoint(victimEndpoint.Id));
        await Expect(attacker.Page.GetByTestId("endpoint-not-found")).ToBeVisibleAsync();
        await Expect(attacker.Page.Locator("body")).Not.ToContainTextAsync("hooks.victim.example");
        Assert.Empty(attacker.Errors);
    }

    /// <summary>The webhooks API as an administrator of <paramref name="tenantId"/>.</summary>
    private HttpClient WebhooksApi(Guid tenantId)
    {
        var client = console.Host.CreateClient();
        client.DefaultRequestHeaders.Add(Modular.Testing.TestSignIn.Header,
            Modular.Testing.TestSignIn.Describe("api-" + tenantId, [WebhooksPermissions.Read, WebhooksPermissions.Manage], tenantId.ToString()));
        return client;
    }
}

/// <summary>The console with webhook deliveries allowed to plain http on 127.0.0.1, where the tests' receivers listen.</summary>
public sealed class OrganizationWebhooksConsole : AdminConsoleFixture
{
    protected override ModularHost CreateHost() => ModularHost.OnSqlite(new Dictionary<string, string?>
    {
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32",
    });
}
