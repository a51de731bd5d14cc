using System.Net.Http.Headers;
using System.Net.Http.Json;
using Modular.Identity.Contracts;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>
/// A user in several tenants picks one per sign-in (the authorize request's <c>tenant</c>, as the console's tenant
/// switcher does), the provider remembers the last pick for the sign-ins that name none, and the user can list their
/// tenants to offer the choice (issue 16 item 6), with real tokens.
/// </summary>
public sealed class TenantChoiceTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_last_tenant_chosen_is_where_a_sign_in_that_names_none_lands(DatabaseProvider provider)
    {
        await using var oidc = await OidcHost.StartAsync(provider, postgres);
        var alice = Assert.Single((await oidc.SendAsync(new ListUsers(Search: "alice"))).Items).Id;
        await oidc.SendAsync(new SetMembership(alice, oidc.Globex.Id, ["member"]));

        // Two tenants and no choice yet: the token is for none of them.
        var undecided = await MembershipRevocationTests.SignInAsync(oidc, tenant: null);
        Assert.Null((await MyTenantsAsync(oidc, undecided.AccessToken!)).SingleOrDefault(t => t.Preferred));

        await MembershipRevocationTests.SignInAsync(oidc, "globex");
        var remembered = await MembershipRevocationTests.SignInAsync(oidc, tenant: null);
        Assert.Equal(oidc.Globex.Id, await CurrentTenantAsync(oidc, remembered.AccessToken!));
        var mine = await MyTenantsAsync(oidc, remembered.AccessToken!);
        Assert.Equal([("acme", false), ("globex", true)], mine.Select(t => (t.Slug, t.Preferred)));
        Assert.Equal(["member"], mine.Single(t => t.Slug == "globex").Roles);

        await MembershipRevocationTests.SignInAsync(oidc, "acme");
        Assert.Equal(oidc.Acme.Id, await CurrentTenantAsync(oidc, (await MembershipRevocationTests.SignInAsync(oidc, tenant: null)).AccessToken!));

        // A remembered tenant the user has left is not where they land.
        await oidc.SendAsync(new RemoveMembership(alice, oidc.Acme.Id));
        var afterLeaving = await MembershipRevocationTests.SignInAsync(oidc, tenant: null);
        Assert.Equal(oidc.Globex.Id, await CurrentTenantAsync(oidc, afterLeaving.AccessToken!)); // the one tenant left
    }

    [Fact]
    public async Task The_list_of_ones_tenants_needs_a_signed_in_user_and_holds_only_theirs()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        using var anonymous = oidc.Backchannel();
        await (await anonymous.GetAsync(IdentityRoutes.MyTenants, Ct)).AssertProblemAsync(System.Net.HttpStatusCode.Unauthorized, Kernel.Errors.ProblemTypes.Unauthorized);

        var tokens = await MembershipRevocationTests.SignInAsync(oidc, "acme");
        Assert.Equal(["acme"], (await MyTenantsAsync(oidc, tokens.AccessToken!)).Select(t => t.Slug)); // not globex, where alice is not
    }

    private static async Task<IReadOnlyList<MyTenantDto>> MyTenantsAsync(OidcHost oidc, string accessToken)
    {
        using var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return (await api.GetFromJsonAsync<List<MyTenantDto>>(IdentityRoutes.MyTenants, Ct))!;
    }

    private static async Task<Guid?> CurrentTenantAsync(OidcHost oidc, string accessToken)
    {
        using var api = oidc.Backchannel();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await api.GetAsync(TenantsRoutes.CurrentTenant, Ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!.Id : null;
    }
}
