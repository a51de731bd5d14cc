using System.Net;
using System.Net.Http.Json;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Tenants.Tests;

/// <summary>
/// <c>GET /api/v1/tenant/audit-log</c>: a tenant's own audit log across modules (the organization area's, for the tenant's
/// tools), to those holding <c>tenants.audit.read</c> in that tenant, and nobody else's entries.
/// </summary>
public sealed class OrganizationAuditLogApiTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_log_holds_every_modules_entries_of_the_callers_tenant_only(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var operatorApi = host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);
        var acme = await TenantLifecycleTests.CreateAsync(operatorApi, "acme");
        var globex = await TenantLifecycleTests.CreateAsync(operatorApi, "globex");
        var acmeAdmin = Caller(host, "acme-admin", acme.Id, TenantsPermissions.AuditRead, IdentityPermissions.MembersManage, IdentityPermissions.MembersRead);
        (await acmeAdmin.PostAsJsonAsync(IdentityRoutes.TenantInvitations, new { email = "new.hire@acme.example", roles = new[] { "member" } }, Ct)).EnsureSuccessStatusCode();

        var log = (await acmeAdmin.GetFromJsonAsync<OrganizationAuditLog>(TenantsRoutes.CurrentAuditLog, Ct))!;

        var invited = Assert.Single(log.Items, e => e.Entry.Action == "invitation.created");
        Assert.Equal("identity", invited.Module);
        Assert.Contains(log.Items, e => e.Entry.Action == "tenant.created" && e.Module == "tenants");
        Assert.All(log.Chains, chain => Assert.True(chain.Intact));
        var filtered = (await acmeAdmin.GetFromJsonAsync<OrganizationAuditLog>($"{TenantsRoutes.CurrentAuditLog}?action=invitation.created", Ct))!;
        Assert.Equal(["invitation.created"], filtered.Items.Select(e => e.Entry.Action));
        var searched = (await acmeAdmin.GetFromJsonAsync<OrganizationAuditLog>($"{TenantsRoutes.CurrentAuditLog}?search=NEW.HIRE@acme", Ct))!;
        Assert.Equal(["invitation.created"], searched.Items.Select(e => e.Entry.Action)); // in the entry's data, in any case
        var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));
        var recent = (await acmeAdmin.GetFromJsonAsync<OrganizationAuditLog>($"{TenantsRoutes.CurrentAuditLog}?since={since}", Ct))!;
        Assert.Equal(log.Total, recent.Total);
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        var none = (await acmeAdmin.GetFromJsonAsync<OrganizationAuditLog>($"{TenantsRoutes.CurrentAuditLog}?since={future}", Ct))!;
        Assert.Equal(0, none.Total);
        Assert.Equal(log.Actions, none.Actions); // the choices stay: they are the whole trail's

        // Globex's auditor sees Globex's log, with nothing of Acme's; even naming Acme is refused.
        var globexAuditor = Caller(host, "globex-auditor", globex.Id, TenantsPermissions.AuditRead);
        var theirs = (await globexAuditor.GetFromJsonAsync<OrganizationAuditLog>(TenantsRoutes.CurrentAuditLog, Ct))!;
        Assert.DoesNotContain(theirs.Items, e => e.Entry.Action == "invitation.created" || e.Entry.Target.Contains(acme.Id.ToString(), StringComparison.Ordinal));
        globexAuditor.DefaultRequestHeaders.Add("X-Tenant", acme.Id.ToString());
        await (await globexAuditor.GetAsync(TenantsRoutes.CurrentAuditLog, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
    }

    [Fact]
    public async Task Without_the_permission_or_with_garbage_paging_the_log_is_refused()
    {
        await using var host = ModularHost.OnSqlite();
        var acme = await TenantLifecycleTests.CreateAsync(host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read), "acme");

        await (await host.CreateClient().GetAsync(TenantsRoutes.CurrentAuditLog, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await Caller(host, "member", acme.Id).GetAsync(TenantsRoutes.CurrentAuditLog, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        var auditor = Caller(host, "auditor", acme.Id, TenantsPermissions.AuditRead);
        (await (await auditor.GetAsync($"{TenantsRoutes.CurrentAuditLog}?pageSize=100000", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
            .AssertNamesField("pageSize");
        await (await auditor.GetAsync($"{TenantsRoutes.CurrentAuditLog}?page=abc", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        (await (await auditor.GetAsync($"{TenantsRoutes.CurrentAuditLog}?search={new string('x', 101)}", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
            .AssertNamesField("search");
        await (await auditor.GetAsync($"{TenantsRoutes.CurrentAuditLog}?since=yesterday", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
    }

    private static HttpClient Caller(ModularHost host, string name, Guid tenant, params string[] permissions)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(name, permissions, tenant.ToString()));
        return client;
    }
}
