using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using Modular.Tenants.Contracts;
using Modular.Testing;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// The organization area's audit trail (<c>/org/audit</c>): every module's entries of the session's tenant, and never
/// another tenant's.
/// </summary>
public sealed class OrganizationAuditTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_owner_sees_the_tenants_and_the_teammates_entries_of_every_module_and_none_of_another_tenant()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-audit", "Org Audit");
        var other = await tenants.CreateAsync("org-audit-other", "Org Audit Other");
        await InviteAsync(tenant, "teammate-tom", "newcomer@org-audit.test");
        await InviteAsync(other, "stranger-sam", "outsider@org-audit-other.test");
        await using var owner = await console.OpenAsync(TestSignIn.Describe("olga", [TenantsPermissions.AuditRead], tenant.Id.ToString()));
        var page = owner.Page;

        await owner.GotoAsync(TenantsRoutes.OrganizationAudit);

        var entries = page.GetByTestId("audit-entries");
        await Expect(entries.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(entries.Locator("tbody tr").First).ToContainTextAsync("invitation.created"); // newest first
        await Expect(entries.Locator("tbody tr").First.GetByTestId("audit-module")).ToHaveTextAsync("identity");
        // Named, not an id: the identity module names its invitation (IAuditTargetNames).
        await Expect(entries.Locator("tbody tr").First.GetByTestId("audit-target")).ToHaveTextAsync("invitation of newcomer@org-audit.test");
        await Expect(entries.Locator("tbody tr").Last.GetByTestId("audit-action")).ToHaveTextAsync("tenant.created");
        await Expect(entries.Locator("tbody tr").Last.GetByTestId("audit-module")).ToHaveTextAsync("tenants");
        await Expect(page.GetByTestId("audit-chain-tenants")).ToContainTextAsync("chain intact");
        await Expect(page.GetByTestId("audit-chain-identity")).ToContainTextAsync("chain intact");
        await Expect(page.Locator("body")).Not.ToContainTextAsync("stranger-sam");
        await Expect(page.Locator("body")).Not.ToContainTextAsync(other.Id.ToString());

        // An entry's details: its data as fields, not JSON.
        await entries.Locator("tbody tr").First.ClickAsync();
        var details = page.GetByTestId("audit-entry-details");
        await Expect(details).ToContainTextAsync("teammate-tom");
        await Expect(details.GetByTestId("audit-entry-data").Filter(new() { HasText = "email" })).ToContainTextAsync("newcomer@org-audit.test");
        await Expect(details).Not.ToContainTextAsync("{");
        await Expect(details).ToBeInViewportAsync(); // opened where the member is looking, not below the list
        await page.GetByTestId("detail-close").ClickAsync();
        await Expect(details).ToHaveCountAsync(0);

        // Filtered by action.
        await page.GetByTestId("audit-action-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "tenant.created", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("audit-total")).ToHaveTextAsync("1 entry");
        await Expect(entries.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(entries.GetByTestId("audit-action")).ToHaveTextAsync("tenant.created");

        // The list's one filtering pattern: "Any" undoes a choice, a search looks in who, where and what, a period
        // keeps what is recent (all of it is, here).
        await page.GetByTestId("audit-action-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Any", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("audit-total")).ToHaveTextAsync("2 entries");
        await page.GetByTestId("audit-search").FillAsync("NEWCOMER@");
        await Expect(page.GetByTestId("audit-total")).ToHaveTextAsync("1 entry");
        await Expect(entries.GetByTestId("audit-action")).ToHaveTextAsync("invitation.created");
        await page.GetByTestId("audit-search").FillAsync("");
        await page.GetByTestId("audit-period-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Last hour", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("audit-total")).ToHaveTextAsync("2 entries");
        await page.GetByTestId("audit-search").FillAsync("nobody-did-this");
        await Expect(page.GetByTestId("audit-empty")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Search, new() { Name = "Filter the audit trail" })).ToBeVisibleAsync();
        Assert.Empty(owner.Errors);
    }

    [Fact]
    public async Task A_member_without_the_permission_gets_forbidden_and_no_entries()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-audit-member", "Org Audit Member");
        await InviteAsync(tenant, "teammate-tia", "hidden@org-audit-member.test");
        await using var member = await console.OpenAsync(TestSignIn.Describe("max", [TenantsPermissions.SettingsManage], tenant.Id.ToString()));

        await member.GotoAsync(TenantsRoutes.OrganizationAudit);

        await Expect(member.Page.GetByTestId("forbidden")).ToContainTextAsync(TenantsPermissions.AuditRead);
        await Expect(member.Page.GetByTestId("audit-entries")).ToHaveCountAsync(0);
        await Expect(member.Page.Locator("body")).Not.ToContainTextAsync("hidden@org-audit-member.test");
    }

    /// <summary>An invitation made through the API by a caller of <paramref name="tenant"/>: an entry of the identity module's trail.</summary>
    private async Task InviteAsync(TenantDto tenant, string inviter, string email)
    {
        using var client = console.Host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(inviter, [IdentityPermissions.MembersManage], tenant.Id.ToString()));
        using var response = await client.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email, roles = new[] { IdentityRoles.Member } }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
    }
}
