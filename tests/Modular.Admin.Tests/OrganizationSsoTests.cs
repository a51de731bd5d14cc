using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using static Microsoft.Playwright.Assertions;
using static Modular.Admin.Tests.MeteringScreens;

namespace Modular.Admin.Tests;

/// <summary>
/// The organization area's single sign-on page (<c>/org/sso</c>): a tenant's admin connects the tenant's own OpenID
/// provider (a real one, panva's oidc-provider on this machine, whose discovery document the save fetches) and claims a domain.
/// </summary>
public sealed class OrganizationSsoTests(OrganizationSsoConsole console, UpstreamIdentityProvider upstream)
    : IClassFixture<OrganizationSsoConsole>, IClassFixture<UpstreamIdentityProvider>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tenant_admin_connects_the_tenants_provider_claims_a_domain_sees_its_txt_record_and_deletes_the_connection()
    {
        using var tenants = new TenantsApi(console);
        var acme = await tenants.CreateAsync("org-sso", "org-sso");
        await using var admin = await OpenAsTenantAdminAsync(acme);
        var page = admin.Page;
        await admin.FollowMenuLinkAsync("Single sign-on");
        await Expect(page.GetByTestId("sso-redirect-uri")).ToHaveTextAsync(new Uri(console.BaseAddress, "/account/external/callback").ToString());
        await Expect(page.GetByTestId("no-sso-connections")).ToBeVisibleAsync();

        // An issuer that is no URL: the validator's message under the issuer field, and nothing connected.
        await page.GetByTestId("new-sso-connection").ClickAsync();
        await page.GetByTestId("sso-name").FillAsync("Acme IdP");
        await page.GetByTestId("sso-issuer").FillAsync("login.acme.example");
        await page.GetByTestId("sso-client-id").FillAsync("modular");
        await page.GetByTestId("sso-client-secret").FillAsync("upstream-secret");
        await page.GetByTestId("sso-submit").ClickAsync();
        await Expect(Field(page, "sso-issuer")).ToContainTextAsync("Give the provider's issuer as an absolute https:// URL.");
        using var api = console.Host.CreateClient();
        api.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("checker", [IdentityPermissions.SsoManage], acme.Id.ToString()));
        Assert.Empty((await api.GetFromJsonAsync<SsoConnectionDto[]>(IdentityRoutes.SsoConnections, Ct))!);

        // The real provider's issuer: its discovery document is fetched, and the connection is listed as tested.
        await page.GetByTestId("sso-issuer").FillAsync(upstream.Issuer.ToString());
        await page.GetByTestId("sso-submit").ClickAsync();
        await DialogClosedAsync(page);
        var connection = page.GetByTestId("sso-connection");
        await Expect(connection.GetByTestId("sso-connection-name")).ToHaveTextAsync("Acme IdP");
        await Expect(connection.GetByTestId("sso-connection-state")).ToHaveTextAsync("enabled");
        await Expect(connection.GetByTestId("sso-connection-last-test")).Not.ToHaveTextAsync("never");
        await Expect(connection.GetByTestId("sso-connection-last-error")).ToHaveCountAsync(0);

        // A claimed domain is pending until its TXT record is published and verified; confirming is an operator's, not shown here.
        await connection.GetByTestId("sso-new-domain").FillAsync("admin.sso.example");
        await connection.GetByTestId("add-sso-domain").ClickAsync();
        var domain = connection.GetByTestId("sso-domain");
        await Expect(domain.GetByTestId("sso-domain-name")).ToHaveTextAsync("admin.sso.example");
        await Expect(domain.GetByTestId("sso-domain-state")).ToHaveTextAsync("pending");
        var stored = Assert.Single(Assert.Single((await api.GetFromJsonAsync<SsoConnectionDto[]>(IdentityRoutes.SsoConnections, Ct))!).Domains);
        await Expect(domain.GetByTestId("sso-domain-record-name")).ToHaveValueAsync(stored.RecordName);
        await Expect(domain.GetByTestId("sso-domain-record-value")).ToHaveValueAsync(stored.RecordValue);
        await Expect(domain.GetByTestId("verify-sso-domain")).ToBeVisibleAsync();
        await Expect(domain.GetByTestId("confirm-sso-domain")).ToHaveCountAsync(0);

        // Tested again on demand, then deleted after a confirmation, with its domain.
        await connection.GetByTestId("test-sso-connection").ClickAsync();
        await Expect(page.GetByText("Acme IdP: the provider's discovery document and keys were fetched")).ToBeVisibleAsync();
        await connection.GetByTestId("delete-sso-connection").ClickAsync();
        await TenantScreens.DialogButton(page, "Delete").ClickAsync();
        await Expect(page.GetByTestId("no-sso-connections")).ToBeVisibleAsync();
        Assert.Empty((await api.GetFromJsonAsync<SsoConnectionDto[]>(IdentityRoutes.SsoConnections, Ct))!);
        Assert.Empty(admin.Errors);
    }

    [Fact]
    public async Task An_operator_renames_a_connection_keeping_its_secret_and_confirms_a_domain_without_its_dns_record()
    {
        using var tenants = new TenantsApi(console);
        var acme = await tenants.CreateAsync("org-sso-operator", "org-sso-operator");
        using var api = console.Host.CreateClient();
        api.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("checker", [IdentityPermissions.SsoManage], acme.Id.ToString()));
        var created = await api.PostAsJsonAsync(IdentityRoutes.SsoConnections, new { name = "Acme IdP", issuer = upstream.Issuer, clientId = "modular", clientSecret = "upstream-secret" }, Ct);
        var connectionId = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SsoConnectionDto>(Ct))!.Id;
        (await api.PostAsJsonAsync(IdentityRoutes.SsoDomains(connectionId), new { domain = "operator.sso.example" }, Ct)).EnsureSuccessStatusCode();

        // An operator who is also the tenant's admin: what both roles grant.
        await using var admin = await OpenAsync(acme, IdentityRoles.PlatformAdmin, IdentityRoles.TenantAdmin);
        var page = admin.Page;
        await admin.FollowMenuLinkAsync("Single sign-on");
        var connection = page.GetByTestId("sso-connection");
        await connection.GetByTestId("edit-sso-connection").ClickAsync();
        await Expect(page.GetByTestId("sso-client-secret")).ToHaveValueAsync("");
        await page.GetByTestId("sso-name").FillAsync("Acme Okta");
        await page.GetByTestId("sso-submit").ClickAsync();
        await DialogClosedAsync(page);
        await Expect(connection.GetByTestId("sso-connection-name")).ToHaveTextAsync("Acme Okta");

        var domain = connection.GetByTestId("sso-domain");
        await domain.GetByTestId("confirm-sso-domain").ClickAsync();
        await Expect(domain.GetByTestId("sso-domain-state")).ToHaveTextAsync("verified");
        await Expect(domain.GetByTestId("sso-domain-record-name")).ToHaveCountAsync(0);

        var stored = Assert.Single((await api.GetFromJsonAsync<SsoConnectionDto[]>(IdentityRoutes.SsoConnections, Ct))!);
        Assert.Equal(("Acme Okta", true), (stored.Name, stored.HasSecret));
        Assert.True(Assert.Single(stored.Domains).Verified);
        Assert.Empty(admin.Errors);
    }

    private Task<AdminPage> OpenAsTenantAdminAsync(Tenants.Contracts.TenantDto tenant) => OpenAsync(tenant, IdentityRoles.TenantAdmin);

    /// <summary>The organization area in <paramref name="tenant"/>, holding what <paramref name="roles"/> grant (by the host's own grants).</summary>
    private async Task<AdminPage> OpenAsync(Tenants.Contracts.TenantDto tenant, params string[] roles)
    {
        string[] permissions;
        await using (var scope = console.Host.Services.CreateAsyncScope())
        {
            permissions = [.. scope.ServiceProvider.GetRequiredService<RoleGrants>().PermissionsOf(roles)];
        }

        var page = await console.OpenAsync(TestSignIn.Describe(Guid.NewGuid().ToString(), permissions, tenant.Id.ToString()));
        await page.GotoAsync(IdentityRoutes.Organization);
        return page;
    }
}

/// <summary>The console allowed to reach an OpenID provider on plain http on this machine, where the test's upstream listens.</summary>
public sealed class OrganizationSsoConsole : AdminConsoleFixture
{
    protected override ModularHost CreateHost() => ModularHost.OnSqlite(new Dictionary<string, string?>
    {
        ["Identity:Federation:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Identity:Federation:AllowHttpIssuers"] = "true",
    });
}
