using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// The organization area (<c>/org</c>): a tenant's own people manage their tenant there, in the tenant their session is
/// for, and reach nothing of the operators' console, by a request or by navigating inside the circuit.
/// </summary>
public sealed class OrganizationAreaTests(AdminConsoleFixture console) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task A_member_opens_their_organization_and_is_offered_only_what_their_permissions_allow()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-home", "Org Home");
        await using var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("ann", [], tenant.Id.ToString()));

        await member.GotoAsync("/org");

        await Expect(member.Page.GetByTestId("organization")).ToHaveTextAsync("org-home");
        await Expect(member.Page.GetByTestId("nothing-to-manage")).ToBeVisibleAsync();
        await Expect(member.Page.GetByTestId("admin-nav").GetByRole(AriaRole.Link)).ToHaveCountAsync(1); // the overview alone
        Assert.Empty(member.Errors);
    }

    [Fact]
    public async Task A_member_who_navigates_to_the_operators_console_inside_the_circuit_gets_nothing_of_it()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-nav", "Org Nav");
        await tenants.CreateAsync("org-other", "Someone Else");
        await using var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("ben", [], tenant.Id.ToString()));
        await member.GotoAsync("/org");

        // No HTTP request is made for this: only the layout stands between the circuit and the operators' page.
        await member.Page.EvaluateAsync("() => Blazor.navigateTo('/admin/tenants')");

        await Expect(member.Page.GetByTestId("forbidden")).ToBeVisibleAsync();
        await Expect(member.Page.GetByTestId("tenant-table")).ToHaveCountAsync(0);
        await Expect(member.Page.Locator("body")).Not.ToContainTextAsync("org-other");
    }

    [Fact]
    public async Task A_page_of_the_area_under_no_link_is_nobodys()
    {
        using var tenants = new TenantsApi(console);
        var tenant = await tenants.CreateAsync("org-nolink", "Org No Link");
        await using var member = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("cat", ["platform.admin"], tenant.Id.ToString()));

        await member.GotoAsync("/org");

        await member.Page.EvaluateAsync("() => Blazor.navigateTo('/org/not-a-page')");

        await Expect(member.Page.GetByTestId("forbidden")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_user_whose_session_names_no_tenant_sees_no_tenants_data_and_is_told_why()
    {
        await using var user = await console.OpenAsync(Modular.Testing.TestSignIn.Describe("dan", []));

        await user.GotoAsync("/org");

        await Expect(user.Page.GetByText("You are not a member of any organization yet.")).ToBeVisibleAsync();
        await Expect(user.Page.GetByTestId("organization-pages")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_anonymous_visitor_gets_no_organization_page()
    {
        await using var visitor = await console.OpenAsync(user: null);

        var response = await visitor.Page.GotoAsync("/org");

        Assert.Equal(401, response?.Status);
        await Expect(visitor.Page.GetByTestId("admin-layout")).ToHaveCountAsync(0);
    }
}
