using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.MeteringScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// The console's API resources (issue 17, item 4): an operator registers a SaaS app's API, changes its scopes, gives a
/// client one of them on the client's page, and deletes the resource, which takes the scope from the client too.
/// </summary>
public sealed class ApiResourceScreensTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_operator_registers_an_api_resource_gives_a_client_its_scope_and_deletes_it()
    {
        // The API's server and a worker that calls it, registered as operators do through the API; a public client cannot
        // introspect (it has no secret), so the resource server picker leaves it out.
        var api = console.Host.CreateClientAs("operator", IdentityPermissions.ClientsManage);
        await RegisterClientAsync(api, new { clientId = "billing-server", type = "confidential", grantTypes = new[] { "client_credentials" } });
        await RegisterClientAsync(api, new { clientId = "billing-worker", type = "confidential", grantTypes = new[] { "client_credentials" }, scopes = new[] { "api" } });
        await RegisterClientAsync(api, new
        {
            clientId = "billing-spa",
            type = "public",
            grantTypes = new[] { "authorization_code" },
            redirectUris = new[] { "http://localhost/callback" },
        });

        await using var admin = await console.OpenAsync(Users.PlatformAdmin);
        var page = admin.Page;
        await admin.GotoAsync("/admin");
        await admin.FollowMenuLinkAsync("API resources");
        await Expect(page).ToHaveTitleAsync("API resources · Modular admin");
        await Expect(page.GetByTestId("create-api-resource")).ToBeEnabledAsync();

        // A built-in scope first: the validator's message under the scope field, and nothing registered.
        await page.GetByTestId("create-api-resource").ClickAsync();
        await page.GetByTestId("api-resource-name").FillAsync("billing-api");
        await page.GetByTestId("api-resource-display-name").FillAsync("Billing");
        await AddScopeAsync(page, "openid", ["openid"]);
        await AddScopeAsync(page, "billing.read", ["openid", "billing.read"]);
        await page.GetByTestId("api-resource-server").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option)).ToHaveTextAsync(["billing-server", "billing-worker"]);
        await page.GetByRole(AriaRole.Option, new() { Name = "billing-server", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("api-resource-server")).ToHaveTextAsync("billing-server");
        await page.GetByTestId("api-resource-submit").ClickAsync();
        await Expect(Field(page, "api-resource-scope-input")).ToContainTextAsync("'openid' is one of the provider's own scopes.");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(IdentityRoutes.ApiResource("billing-api"), Ct)).StatusCode);

        // Without it, registered and listed, its server linking to that client's page.
        await Scope(page, "openid").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(Scopes(page)).ToHaveTextAsync(["billing.read"]);
        await page.GetByTestId("api-resource-submit").ClickAsync();
        await DialogClosedAsync(page);
        var row = ResourceRow(page, "billing-api");
        await Expect(row).ToContainTextAsync("Billing");
        await Expect(RowScopes(row)).ToHaveTextAsync(["billing.read"]);
        await Expect(row.GetByTestId("api-resource-row-server")).ToHaveAttributeAsync("href", IdentityRoutes.ConsoleClient("billing-server"));

        // Its name is fixed; its scopes change.
        await row.GetByTestId("api-resource-edit").ClickAsync();
        await Expect(page.GetByTestId("api-resource-name")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("api-resource-name")).ToHaveValueAsync("billing-api");
        await AddScopeAsync(page, "billing.write", ["billing.read", "billing.write"]);
        await page.GetByTestId("api-resource-submit").ClickAsync();
        await DialogClosedAsync(page);
        await Expect(RowScopes(row)).ToHaveTextAsync(["billing.read", "billing.write"]);
        var stored = await api.GetFromJsonAsync<ApiResourceDefinition>(IdentityRoutes.ApiResource("billing-api"), Ct);
        Assert.Equal(("Billing", "billing-server"), (stored!.DisplayName, stored.ResourceServer));
        Assert.Equal(["billing.read", "billing.write"], stored.Scopes);

        // The worker's page offers the resource's scopes under its name; one ticked and saved is the worker's.
        await admin.GotoAsync(IdentityRoutes.ConsoleClient("billing-worker"));
        var billing = page.GetByTestId("client-scope-group").Filter(new() { Has = page.GetByTestId("client-scope-group-name").GetByText("Billing (billing-api)", new() { Exact = true }) });
        await billing.GetByText("billing.write", new() { Exact = true }).ClickAsync();
        await Expect(ScopeBox(billing, "billing.write")).ToBeCheckedAsync();
        await page.GetByTestId("save-client").ClickAsync();
        await Expect(page.GetByText("Saved", new() { Exact = true })).ToBeVisibleAsync();
        Assert.Equal(["api", "billing.write"], await ClientScopesAsync(api, "billing-worker")); // no openid: nobody signs in with client credentials
        await admin.ReloadAsync();
        await Expect(ScopeBox(page.Locator("body"), "billing.write")).ToBeCheckedAsync();
        await Expect(ScopeBox(page.Locator("body"), "billing.read")).Not.ToBeCheckedAsync();

        // Deleted after a confirmation: gone from the list, and from the worker.
        await admin.GotoAsync(IdentityRoutes.ConsoleApiResources);
        await ResourceRow(page, "billing-api").GetByTestId("api-resource-delete").ClickAsync();
        await TenantScreens.DialogButton(page, "Delete").ClickAsync();
        await Expect(page.GetByTestId("api-resource-table")).ToContainTextAsync("No API resources yet.");
        Assert.Equal(["api"], await ClientScopesAsync(api, "billing-worker"));
        await admin.GotoAsync(IdentityRoutes.ConsoleClient("billing-worker"));
        await Expect(ScopeBox(page.Locator("body"), "api")).ToBeCheckedAsync();
        await Expect(ScopeBox(page.Locator("body"), "billing.write")).ToHaveCountAsync(0);
        Assert.Empty(admin.Errors);
    }

    private static async Task RegisterClientAsync(HttpClient api, object client) =>
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync(IdentityRoutes.Clients, client, Ct)).StatusCode);

    private static async Task<IReadOnlyList<string>> ClientScopesAsync(HttpClient api, string clientId) =>
        (await api.GetFromJsonAsync<ClientDto>(IdentityRoutes.Client(clientId), Ct))!.Client.Scopes;

    /// <summary>Types <paramref name="scope"/> into the dialog's scope field and presses Enter: the chips are then <paramref name="all"/>, the field empty for the next.</summary>
    private static async Task AddScopeAsync(IPage page, string scope, string[] all)
    {
        var input = page.GetByTestId("api-resource-scope-input");
        await input.FillAsync(scope);
        await input.PressAsync("Enter");
        await Expect(Scopes(page)).ToHaveTextAsync(all);
        await Expect(input).ToHaveValueAsync("");
    }

    private static ILocator Scopes(IPage page) => page.GetByTestId("api-resource-scope");

    private static ILocator Scope(IPage page, string scope) => Scopes(page).Filter(new() { HasText = scope });

    private static ILocator ResourceRow(IPage page, string name) =>
        page.GetByTestId("api-resource-table").Locator("tbody tr")
            .Filter(new() { Has = page.GetByTestId("api-resource-row-name").GetByText(name, new() { Exact = true }) });

    private static ILocator RowScopes(ILocator row) => row.GetByTestId("api-resource-row-scopes").Locator(".mud-chip");

    private static ILocator ScopeBox(ILocator within, string scope) => within.GetByRole(AriaRole.Checkbox, new() { Name = scope, Exact = true });
}
