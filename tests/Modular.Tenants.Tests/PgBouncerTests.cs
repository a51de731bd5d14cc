using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.Tests;

/// <summary>
/// Through a real PgBouncer in transaction mode, with fewer server connections than concurrent units of work: every
/// statement runs on whichever server connection is free, so a tenant setting left on a session would be read by another
/// tenant's statement (docs/adr/0020). Each tenant must see exactly its own rows, however the work interleaves.
/// </summary>
public sealed class PgBouncerTests(PostgresServer postgres)
{
    private const int Tenants = 20;
    private const int Parallel = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Many_tenants_at_once_through_a_small_transaction_pool_each_see_only_their_own_rows()
    {
        await using var pgBouncer = await PgBouncerServer.StartAsync(postgres);
        await using var host = await ModularHost.OnPgBouncerAsync(postgres, pgBouncer);
        var admin = host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);
        var tenants = new List<TenantDto>();
        for (var i = 0; i < Tenants; i++)
        {
            tenants.Add(await TenantLifecycleTests.CreateAsync(admin, $"pooled-{i}"));
        }

        // Over HTTP, through the whole pipeline: each tenant's auditor reads its trail, all of them at once.
        var reads = tenants.SelectMany(tenant => Enumerable.Range(0, Parallel).Select(async _ =>
        {
            var auditor = host.CreateClient();
            auditor.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("auditor", [TenantsPermissions.AuditRead], tenant.Slug));
            var trail = (await auditor.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.CurrentAuditTrail, Ct))!;
            Assert.NotEmpty(trail.Entries);
            Assert.All(trail.Entries, e => Assert.Contains(tenant.Id.ToString(), e.Target));
            Assert.True(trail.ChainIntact);
        }));
        await Task.WhenAll(reads);

        // Raw SQL, which no EF filter guards: only row-level security and the tenant setting stand between tenants.
        var raw = tenants.SelectMany(tenant => Enumerable.Range(0, Parallel).Select(async _ =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(tenant.Id, tenant.Slug, tenant.Plan, IsSuspended: false));
            var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
            var seen = await db.Database.SqlQueryRaw<Guid>("SELECT DISTINCT tenant_id AS \"Value\" FROM tenants.audit_entries").ToListAsync(Ct);
            Assert.Equal([tenant.Id], seen);
        }));
        await Task.WhenAll(raw);
    }

    [Fact]
    public async Task Audit_chains_written_concurrently_through_the_pool_stay_intact()
    {
        await using var pgBouncer = await PgBouncerServer.StartAsync(postgres);
        await using var host = await ModularHost.OnPgBouncerAsync(postgres, pgBouncer);
        var admin = host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);
        var tenant = await TenantLifecycleTests.CreateAsync(admin, "chained");

        var before = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!.Entries.Count;

        // Each change appends to the tenant's chain under a transaction-scoped lock: safe to take through PgBouncer.
        // Racing writers of the same row may lose to each other (409); each one that wins is audited once.
        var statuses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async i =>
            (await admin.PatchAsJsonAsync(TenantsRoutes.Tenant(tenant.Id), new { name = $"Chained {i}" }, Ct)).StatusCode));
        Assert.All(statuses, status => Assert.Contains(status, new[] { System.Net.HttpStatusCode.OK, System.Net.HttpStatusCode.Conflict }));

        var trail = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!;
        Assert.True(trail.ChainIntact);
        Assert.Equal(before + statuses.Count(s => s == System.Net.HttpStatusCode.OK), trail.Entries.Count);
    }
}
