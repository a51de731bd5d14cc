using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Tenants.Tests;

/// <summary>
/// Tenants created pending activation (what a sign-up makes, issue 16), reserved slugs, and the anonymous slug check
/// sign-up forms use.
/// </summary>
public sealed class TenantActivationTests(PostgresServer postgres)
{
    private static readonly string[] Operator = [TenantsPermissions.Manage, TenantsPermissions.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_pending_activation_serves_nobody_until_activated(DatabaseProvider provider)
    {
        // The directory caches a tenant for an hour here: only forgetting it on activation can let its members in (a
        // newly confirmed sign-up was refused for up to a cache period).
        await using var host = await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?> { ["Tenancy:CacheDuration"] = "01:00:00" });
        var admin = host.CreateClientAs("operator", Operator);
        var created = await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "initech", name = "Initech", pendingActivation = true }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenant = (await created.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
        Assert.Equal(TenantStatuses.PendingActivation, tenant.Status);

        var member = host.CreateMemberClient("peter", tenant.Id.ToString());
        await (await member.GetAsync(TenantsRoutes.CurrentTenant, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.TenantSuspended);
        await (await member.PostAsync(TenantsRoutes.Activate(tenant.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.TenantSuspended);
        var memberOfAnother = host.CreateMemberClient("mallory", (await CreateAsync(admin, new { slug = "other", name = "Other" })).Id.ToString());
        await (await memberOfAnother.PostAsync(TenantsRoutes.Activate(tenant.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        var activated = await admin.PostAsync(TenantsRoutes.Activate(tenant.Id), null, Ct);
        Assert.Equal(TenantStatuses.Active, (await activated.Content.ReadFromJsonAsync<TenantDto>(Ct))!.Status);
        await Eventually.HoldsAsync(async () => (await member.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode == HttpStatusCode.OK, "member served");

        // Once only; an active tenant was never pending; nor is a tenant that does not exist.
        await (await admin.PostAsync(TenantsRoutes.Activate(tenant.Id), null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        await (await admin.PostAsync(TenantsRoutes.Activate(Guid.NewGuid()), null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        var trail = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!;
        Assert.Equal(["tenant.created", "tenant.activated"], trail.Entries.Select(e => e.Action));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_never_activated_is_dropped_after_the_window_and_frees_its_slug(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?> { ["Tenants:ActivationWindow"] = "00:00:00" });
        var admin = host.CreateClientAs("operator", Operator);
        var pending = await CreateAsync(admin, new { slug = "squatted", name = "Squatted", pendingActivation = true });
        var active = await CreateAsync(admin, new { slug = "kept", name = "Kept" });

        Assert.Equal(1, await host.Services.GetRequiredService<UseCases.PurgeTenant.PurgeWorker>().PurgeDueAsync(Ct));

        // No tombstone: the row is gone and the slug free again; its data goes on TenantPurged as any purged tenant's.
        await (await admin.GetAsync(TenantsRoutes.Tenant(pending.Id), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal(TenantStatuses.Active, (await admin.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(active.Id), Ct))!.Status);
        var slug = (await host.CreateClient().GetFromJsonAsync<SlugAvailability>($"{TenantsRoutes.SlugAvailability}?slug=squatted", Ct))!;
        Assert.True(slug.Available);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "squatted", name = "Rightful owner" }, Ct)).StatusCode);
    }

    [Fact]
    public async Task Reserved_slugs_are_refused_to_everyone_operators_included()
    {
        await using var host = await ModularHost.StartAsync(DatabaseProvider.Sqlite, postgres, new Dictionary<string, string?> { ["Tenants:ReservedSlugs:0"] = "acme-internal" });
        var admin = host.CreateClientAs("operator", Operator);

        foreach (var reserved in new[] { "admin", "api", "www", "acme-internal" })
        {
            var refused = await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = reserved, name = "Mine" }, Ct);
            (await refused.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("slug");
        }

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "admins-united", name = "Admins United" }, Ct)).StatusCode);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Anyone_may_ask_whether_a_slug_is_free_and_learns_nothing_else(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var admin = host.CreateClientAs("operator", Operator);
        await CreateAsync(admin, new { slug = "acme", name = "Acme" });
        await CreateAsync(admin, new { slug = "acme-2", name = "Acme Two" });
        var visitor = host.CreateClient();

        async Task<SlugAvailability> AskAsync(string query) => (await visitor.GetFromJsonAsync<SlugAvailability>($"{TenantsRoutes.SlugAvailability}?{query}", Ct))!;

        Assert.Equal(new SlugAvailability("acme", false, "taken", "acme-3"), await AskAsync("slug=acme"));
        Assert.Equal(new SlugAvailability("acme", false, "taken", "acme-3"), await AskAsync("name=ACME"));
        Assert.Equal(new SlugAvailability("cafe-zurich-gmbh", true, null, "cafe-zurich-gmbh"), await AskAsync("name=" + Uri.EscapeDataString("  Café Zürich GmbH!  ")));
        Assert.Equal(new SlugAvailability("admin", false, "reserved", "admin-2"), await AskAsync("slug=admin"));
        Assert.Equal(new SlugAvailability("Not_A_Slug", false, "invalid", null), await AskAsync("slug=Not_A_Slug"));
        Assert.Equal(new SlugAvailability("", false, "invalid", null), await AskAsync("name=" + Uri.EscapeDataString("!!!")));

        var nothing = await visitor.GetAsync(TenantsRoutes.SlugAvailability, Ct);
        (await nothing.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("slug");
        var oversize = await visitor.GetAsync($"{TenantsRoutes.SlugAvailability}?slug={new string('a', 64)}", Ct);
        (await oversize.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("slug");
    }

    private static async Task<TenantDto> CreateAsync(HttpClient admin, object body)
    {
        var created = await admin.PostAsJsonAsync(TenantsRoutes.Tenants, body, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
    }
}
