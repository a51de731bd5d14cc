using System.Net;
using System.Net.Http.Json;
using System.Text;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Tenants.Tests;

/// <summary>
/// <c>PATCH /api/v1/tenant</c>: a tenant's own admins rename their tenant and change its slug, with sign-up's slug rules;
/// from the attacker's side, on both providers.
/// </summary>
public sealed class TenantSettingsApiTests(PostgresServer postgres)
{
    private static readonly string[] Operator = [TenantsPermissions.Manage, TenantsPermissions.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_admin_renames_the_tenant_and_changes_its_slug_and_the_slug_change_is_audited(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var (acme, _) = await TwoTenantsAsync(host);
        var admin = AdminOf(host, acme);

        var response = await admin.PatchAsJsonAsync(TenantsRoutes.CurrentTenant, new { name = "Acme Renamed", slug = "acme-two", version = acme.Version }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var saved = (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.CurrentTenant, Ct))!;
        Assert.Equal((acme.Id, "acme-two", "Acme Renamed"), (saved.Id, saved.Slug, saved.Name));
        var trail = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.CurrentAuditTrail, Ct))!;
        var slugChange = Assert.Single(trail.Entries, e => e.Action == "tenant.slug_changed");
        Assert.Contains("\"old\":\"acme\"", slugChange.Data, StringComparison.Ordinal);
        Assert.Contains("\"new\":\"acme-two\"", slugChange.Data, StringComparison.Ordinal);
        Assert.Equal("tenant-admin", slugChange.Actor);
        Assert.Contains(trail.Entries, e => e.Action == "tenant.renamed");
        Assert.True(trail.ChainIntact);

        // The old slug is free for others now, and the new one resolves to the tenant.
        var old = (await host.CreateClient().GetFromJsonAsync<SlugAvailability>($"{TenantsRoutes.SlugAvailability}?slug=acme", Ct))!;
        Assert.True(old.Available);
        var bySlug = new HttpRequestMessage(HttpMethod.Get, TenantsRoutes.CurrentTenant);
        bySlug.Headers.Add(TenantResolution.Header, "acme-two");
        Assert.Equal(acme.Id, (await (await admin.SendAsync(bySlug, Ct)).Content.ReadFromJsonAsync<TenantDto>(Ct))!.Id);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_taken_reserved_malformed_or_oversize_field_is_a_problem_naming_the_field_and_nothing_changes(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var (acme, _) = await TwoTenantsAsync(host);
        var admin = AdminOf(host, acme);

        string[][] invalid =
        [
            ["""{"slug":"globex"}""", "slug"], // another tenant's
            ["""{"slug":"admin"}""", "slug"], // reserved
            ["""{"slug":"Not A Slug!"}""", "slug"],
            ["""{"slug":"-acme"}""", "slug"],
            [$$"""{"slug":"{{new string('a', 64)}}"}""", "slug"],
            ["""{"name":"   "}""", "name"],
            [$$"""{"name":"{{new string('n', 201)}}"}""", "name"],
            ["""{}""", "body"],
            ["""{"name":"Acme","version":1,"slug":"globex"}""", "slug"],
        ];
        foreach (var (body, field) in invalid.Select(c => (c[0], c[1])))
        {
            var problem = await (await admin.PatchAsync(TenantsRoutes.CurrentTenant, Json(body), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
            problem.AssertNamesField(field);
        }

        string[][] malformed = [["""{"slug": 42}""", "slug"], ["""{"name": ["Acme"]}""", "name"], ["not json at all", "body"]];
        foreach (var (body, field) in malformed.Select(c => (c[0], c[1])))
        {
            var problem = await (await admin.PatchAsync(TenantsRoutes.CurrentTenant, Json(body), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
            problem.AssertNamesField(field);
            Assert.DoesNotContain("   at ", problem.ToString());
        }

        await (await admin.PatchAsync(TenantsRoutes.CurrentTenant, Json("""{"name":"Stale","version":7}"""), Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        Assert.Equal(acme, (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.CurrentTenant, Ct))! with { Metadata = acme.Metadata });
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_member_without_the_permission_or_of_another_tenant_is_refused_and_nothing_changes(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var (acme, globex) = await TwoTenantsAsync(host);
        var member = host.CreateMemberClient("member", acme.Id.ToString());
        var globexAdmin = AdminOf(host, globex);
        var body = new { name = "Taken over", slug = "taken-over" };

        await (await host.CreateClient().PatchAsJsonAsync(TenantsRoutes.CurrentTenant, body, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await member.PatchAsJsonAsync(TenantsRoutes.CurrentTenant, body, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        // Globex's admin names Acme as the tenant to act in: their rights hold in Globex only.
        var intoAcme = new HttpRequestMessage(HttpMethod.Patch, TenantsRoutes.CurrentTenant) { Content = JsonContent.Create(body) };
        intoAcme.Headers.Add(TenantResolution.Header, acme.Id.ToString());
        await (await globexAdmin.SendAsync(intoAcme, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        var operatorView = host.CreateClientAs("operator", Operator);
        Assert.Equal(acme, (await operatorView.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(acme.Id), Ct))! with { Metadata = acme.Metadata });
    }

    private static HttpClient AdminOf(ModularHost host, TenantDto tenant)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("tenant-admin", [TenantsPermissions.SettingsManage, TenantsPermissions.AuditRead], tenant.Id.ToString()));
        return client;
    }

    private static async Task<(TenantDto Acme, TenantDto Globex)> TwoTenantsAsync(ModularHost host)
    {
        var admin = host.CreateClientAs("operator", Operator);
        return (await TenantLifecycleTests.CreateAsync(admin, "acme"), await TenantLifecycleTests.CreateAsync(admin, "globex"));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
