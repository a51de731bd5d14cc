using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;
using Npgsql;

namespace Modular.Tenants.Tests;

/// <summary>Tenant isolation, tested from the attacker's side, on both providers (RLS on PostgreSQL only).</summary>
public sealed class TenantIsolationTests(PostgresServer postgres)
{
    private static readonly string[] Operator = [TenantsPermissions.Manage, TenantsPermissions.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_member_sees_only_its_own_tenant_and_another_tenants_entry_by_id_is_not_found(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var (a, b) = await TwoTenantsAsync(host);
        var alice = AuditorOf(host, "alice", a.Id.ToString());
        var bob = AuditorOf(host, "bob", b.Slug);

        Assert.Equal(a.Id, (await alice.GetFromJsonAsync<TenantDto>(TenantsRoutes.CurrentTenant, Ct))!.Id);
        Assert.Equal(b.Id, (await bob.GetFromJsonAsync<TenantDto>(TenantsRoutes.CurrentTenant, Ct))!.Id);
        var aliceTrail = (await alice.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.CurrentAuditTrail, Ct))!;
        var bobsEntry = (await bob.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.CurrentAuditTrail, Ct))!.Entries[0];
        Assert.All(aliceTrail.Entries, e => Assert.Contains(a.Id.ToString(), e.Target));

        // Alice knows the id of one of Bob's tenant's rows: she still cannot read it.
        await (await alice.GetAsync(TenantsRoutes.CurrentAuditEntry(bobsEntry.Id), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync(TenantsRoutes.CurrentAuditEntry(bobsEntry.Id), Ct)).StatusCode);

        // A member who may not read the tenant's audit log reads neither the trail nor an entry of it.
        var carol = host.CreateMemberClient("carol", a.Id.ToString());
        await (await carol.GetAsync(TenantsRoutes.CurrentAuditTrail, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await carol.GetAsync(TenantsRoutes.CurrentAuditEntry(aliceTrail.Entries[0].Id), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        // ...nor reach the platform API with a member's token.
        await (await alice.GetAsync(TenantsRoutes.Tenant(b.Id), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await alice.GetAsync(TenantsRoutes.AuditTrail(b.Id), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
    }

    [Fact]
    public async Task A_header_or_subdomain_selects_only_among_the_callers_own_tenants()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Tenancy:RootDomain"] = "example.test" });
        var (a, b) = await TwoTenantsAsync(host);
        var alice = host.CreateMemberClient("alice", a.Slug);
        var both = host.CreateMemberClient("carol", a.Slug, b.Slug);
        var platform = host.CreateClientAs("operator", Kernel.Security.PlatformPermissions.Admin);

        await (await SendAsync(alice, b.Slug, null)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await SendAsync(alice, b.Id.ToString(), null)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await SendAsync(alice, "no-such-tenant", null)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await SendAsync(alice, null, $"{b.Slug}.example.test")).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);

        Assert.Equal(b.Id, await CurrentTenantAsync(both, b.Slug, null));
        Assert.Equal(b.Id, await CurrentTenantAsync(both, null, $"{b.Slug}.example.test"));
        Assert.Equal(a.Id, await CurrentTenantAsync(both, null, null)); // the first tenant is the default
        Assert.Equal(b.Id, await CurrentTenantAsync(platform, b.Id.ToString(), null));
    }

    [Fact]
    public async Task Raw_sql_inside_a_tenant_scope_sees_no_other_tenants_rows_on_postgres()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var (a, b) = await TwoTenantsAsync(host);

        Assert.Equal([a.Id], await RawAuditTenantsAsync(host, scope => scope.Enter(Info(a))));
        Assert.Equal([b.Id], await RawAuditTenantsAsync(host, scope => scope.Enter(Info(b))));
        Assert.Empty(await RawAuditTenantsAsync(host, _ => { })); // no scope, no tenant rows
        Assert.Equal([a.Id, b.Id], (await RawAuditTenantsAsync(host, scope => scope.EnterAllTenants())).Order());

        // Writing another tenant's row with raw SQL fails too (the policy's WITH CHECK).
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(Info(a));
        var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
        var insert = db.Database.ExecuteSqlAsync(
            $"INSERT INTO tenants.audit_entries (id, tenant_id, sequence, occurred_at, actor, action, target, data, previous_hash, hash) VALUES ({Guid.NewGuid()}, {b.Id}, 99, now(), 'mallory', 'x', 'x', '{{}}', '', '')", Ct);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task Every_tenant_owned_table_is_under_forced_row_level_security()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/health/ready", Ct)).StatusCode);

        await using var scope = host.Services.CreateAsyncScope();
        var tenantOwnedTables = scope.ServiceProvider.GetServices<ModuleDbContext>()
            .SelectMany(db => db.Model.GetEntityTypes())
            .Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType))
            .Select(e => $"{e.GetSchema()}.{e.GetTableName()}")
            .ToList();
        Assert.NotEmpty(tenantOwnedTables);

        await using var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync(Ct);
        foreach (var table in tenantOwnedTables)
        {
            await using var check = new NpgsqlCommand(
                "SELECT c.relrowsecurity AND c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname || '.' || c.relname = @table", connection);
            check.Parameters.AddWithValue("table", table);
            Assert.True((bool)(await check.ExecuteScalarAsync(Ct))!, $"{table} must have forced row-level security");
        }
    }

    [Fact]
    public async Task Every_tenant_owned_table_has_one_index_leading_with_its_tenant_and_no_redundant_one()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/health/ready", Ct)).StatusCode);

        await using var scope = host.Services.CreateAsyncScope();
        var tenantOwnedTables = scope.ServiceProvider.GetServices<ModuleDbContext>()
            .SelectMany(db => db.Model.GetEntityTypes())
            .Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType))
            .Select(e => $"{e.GetSchema()}.{e.GetTableName()}")
            .ToList();
        Assert.NotEmpty(tenantOwnedTables);

        await using var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync(Ct);
        foreach (var table in tenantOwnedTables)
        {
            // Indexes (the primary key among them) whose first column is tenant_id, and whether one is tenant_id alone.
            await using var check = new NpgsqlCommand(
                "SELECT count(*), coalesce(bool_or(i.indnatts = 1), false) FROM pg_index i " +
                "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] " +
                "WHERE n.nspname || '.' || c.relname = @table AND a.attname = 'tenant_id'", connection);
            check.Parameters.AddWithValue("table", table);
            await using var reader = await check.ExecuteReaderAsync(Ct);
            await reader.ReadAsync(Ct);
            var (leading, alone) = (reader.GetInt64(0), reader.GetBoolean(1));
            Assert.True(leading >= 1, $"{table} needs an index leading with tenant_id: every query of it filters by tenant");
            Assert.False(alone && leading > 1, $"{table} has a tenant_id index another index already serves: it only slows writes");
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Writing_a_tenant_row_outside_its_scope_is_an_error_not_a_silent_null(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var (a, b) = await TwoTenantsAsync(host);

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
        var caller = scope.ServiceProvider.GetRequiredService<ICaller>();
        db.Audit(a.Id, caller, "test.written", "x", null, DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<TenantScopeViolationException>(() => db.SaveChangesAsync(Ct)); // no scope at all

        db.ChangeTracker.Clear();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(Info(b));
        db.Audit(a.Id, caller, "test.written", "x", null, DateTimeOffset.UtcNow);
        await Assert.ThrowsAsync<TenantScopeViolationException>(() => db.SaveChangesAsync(Ct)); // B's scope, A's row
    }

    [Fact]
    public async Task Tampering_with_a_past_audit_entry_is_detected()
    {
        await using var host = ModularHost.OnSqlite();
        var admin = host.CreateClientAs("operator", Operator);
        var tenant = await TenantLifecycleTests.CreateAsync(admin, "acme");
        (await admin.PostAsJsonAsync(TenantsRoutes.Suspend(tenant.Id), new { reason = "fraud" }, Ct)).EnsureSuccessStatusCode();
        (await admin.PostAsync(TenantsRoutes.Reactivate(tenant.Id), null, Ct)).EnsureSuccessStatusCode();
        Assert.True((await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!.ChainIntact);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
            await db.Database.ExecuteSqlAsync($"UPDATE audit_entries SET data = '{{\"reason\":\"none\"}}' WHERE sequence = 2", Ct);
        }

        var trail = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(tenant.Id), Ct))!;
        Assert.False(trail.ChainIntact);
        Assert.Equal(2, trail.FirstBrokenSequence);
    }

    private static TenantInfo Info(TenantDto tenant) => new(tenant.Id, tenant.Slug, tenant.Plan, IsSuspended: false);

    private static async Task<(TenantDto A, TenantDto B)> TwoTenantsAsync(ModularHost host)
    {
        var admin = host.CreateClientAs("operator", Operator);
        return (await TenantLifecycleTests.CreateAsync(admin, "acme"), await TenantLifecycleTests.CreateAsync(admin, "globex"));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string? header, string? host)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, TenantsRoutes.CurrentTenant);
        if (header is not null)
        {
            request.Headers.Add(TenantResolution.Header, header);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return client.SendAsync(request, Ct);
    }

    private static async Task<Guid> CurrentTenantAsync(HttpClient client, string? header, string? host)
    {
        var response = await SendAsync(client, header, host);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!.Id;
    }

    private static async Task<List<Guid>> RawAuditTenantsAsync(ModularHost host, Action<TenantScope> enter)
    {
        await using var scope = host.Services.CreateAsyncScope();
        enter(scope.ServiceProvider.GetRequiredService<TenantScope>());
        var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
        var ids = await db.Database.SqlQueryRaw<Guid>("SELECT DISTINCT tenant_id AS \"Value\" FROM tenants.audit_entries").ToListAsync(Ct);
        return ids;
    }

    /// <summary>A member of <paramref name="tenant"/> who may read its audit log, and nothing else.</summary>
    private static HttpClient AuditorOf(ModularHost host, string name, string tenant)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(name, [TenantsPermissions.AuditRead], tenant));
        return client;
    }
}
