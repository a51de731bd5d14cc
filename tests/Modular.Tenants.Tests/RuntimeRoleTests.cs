using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Auditing;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;
using Npgsql;

namespace Modular.Tenants.Tests;

/// <summary>
/// A compromised application session on PostgreSQL (SQL injection, a leaked runtime connection string)
/// against every module's schema: the role the application connects with owns nothing, so it cannot
/// switch row-level security off, change the schema, or rewrite or remove audit entries.
/// </summary>
public sealed class RuntimeRoleTests(PostgresServer postgres)
{
    private static readonly string[] Operator = [TenantsPermissions.Manage, TenantsPermissions.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_application_role_cannot_switch_row_level_security_off()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        await TwoTenantsAsync(host);
        var tables = ModelTables(host).Where(t => t.TenantOwned).ToList();
        Assert.NotEmpty(tables);

        await using var session = await OpenAsApplicationAsync(host);
        foreach (var table in tables)
        {
            await AssertRefusedAsync(session, $"ALTER TABLE {table.Name} DISABLE ROW LEVEL SECURITY");
            await AssertRefusedAsync(session, $"ALTER TABLE {table.Name} NO FORCE ROW LEVEL SECURITY");
            await AssertRefusedAsync(session, $"DROP POLICY {TenantRowSecurityPolicy} ON {table.Name}");
            await AssertRefusedAsync(session, $"CREATE POLICY everything ON {table.Name} USING (true)");
        }
    }

    [Fact]
    public async Task The_application_role_cannot_update_delete_or_truncate_an_audit_entry()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var (a, _) = await TwoTenantsAsync(host);
        var tables = ModelTables(host);
        var auditTables = tables.Where(t => t.Audit).ToList();
        Assert.Equal(tables.Select(t => t.Schema).Distinct(), auditTables.Select(t => t.Schema)); // every module keeps one

        await using var session = await OpenAsApplicationAsync(host);
        await ExecuteAsync(session, $"SELECT set_config('{TenantSetting}', '*', false)"); // row-level security is not what stops it
        foreach (var table in auditTables)
        {
            await AssertRefusedAsync(session, $"UPDATE {table.Name} SET data = '{{\"reason\":\"nothing happened\"}}'");
            await AssertRefusedAsync(session, $"DELETE FROM {table.Name}");
            await AssertRefusedAsync(session, $"TRUNCATE {table.Name}");
        }

        var trail = (await host.CreateClientAs("operator", Operator).GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(a.Id), Ct))!;
        Assert.True(trail.ChainIntact);
        Assert.Equal(["tenant.created"], trail.Entries.Select(e => e.Action));
    }

    [Fact]
    public async Task The_application_role_cannot_change_the_schema_of_any_module()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var tables = ModelTables(host);

        await using var session = await OpenAsApplicationAsync(host);
        await AssertRefusedAsync(session, "CREATE SCHEMA mallory");
        foreach (var schema in tables.Select(t => t.Schema).Distinct())
        {
            await AssertRefusedAsync(session, $"CREATE TABLE \"{schema}\".mallory (id int)");
            await AssertRefusedAsync(session, $"CREATE FUNCTION \"{schema}\".mallory() RETURNS int LANGUAGE sql AS 'SELECT 1'");
        }

        foreach (var table in tables)
        {
            await AssertRefusedAsync(session, $"ALTER TABLE {table.Name} ADD COLUMN mallory int");
            await AssertRefusedAsync(session, $"DROP TABLE {table.Name}");
        }

        // It owns nothing here (no database, schema, table, sequence or function it could alter or grant
        // itself more on), and holds no attribute that skips row-level security.
        Assert.Equal(0, await ScalarAsync<long>(session,
            "SELECT (SELECT count(*) FROM pg_database WHERE datdba = r.oid AND datname = current_database()) + " +
            "(SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) + (SELECT count(*) FROM pg_class WHERE relowner = r.oid) + " +
            "(SELECT count(*) FROM pg_proc WHERE proowner = r.oid) FROM pg_roles r WHERE r.rolname = current_user"));
        Assert.False(await ScalarAsync<bool>(session, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"));
    }

    [Fact]
    public async Task Without_the_tenant_setting_the_application_role_sees_no_tenant_rows()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        await TwoTenantsAsync(host);
        var tables = ModelTables(host).Where(t => t.TenantOwned).ToList();

        await using var session = await OpenAsApplicationAsync(host);
        foreach (var table in tables)
        {
            Assert.Equal(0, await ScalarAsync<long>(session, $"SELECT count(*) FROM {table.Name}"));
        }

        // Nor by asking PostgreSQL to skip the policies.
        await ExecuteAsync(session, "SET row_security = off");
        await AssertRefusedAsync(session, "SELECT count(*) FROM tenants.audit_entries");
        await ExecuteAsync(session, "RESET row_security");

        // The rows are there: the platform's all-tenants setting sees both tenants'.
        await ExecuteAsync(session, $"SELECT set_config('{TenantSetting}', '*', false)");
        Assert.Equal(2, await ScalarAsync<long>(session, "SELECT count(DISTINCT tenant_id) FROM tenants.audit_entries"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purged_tenants_trail_is_erased_whole_in_its_own_scope_and_on_postgres_the_erasure_stays_on_record(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var (a, b) = await TwoTenantsAsync(host);
        var admin = host.CreateClientAs("operator", Operator);

        Assert.Equal(0, await EraseAsync(host, b, a.Id)); // another tenant's scope reaches nothing
        Assert.Equal(1, await EraseAsync(host, a, a.Id));

        Assert.Empty((await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(a.Id), Ct))!.Entries);
        var untouched = (await admin.GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(b.Id), Ct))!;
        Assert.True(untouched.ChainIntact);
        Assert.Equal(["tenant.created"], untouched.Entries.Select(e => e.Action));
        if (provider != DatabaseProvider.Postgres)
        {
            return; // SQLite has no roles: whoever holds the file holds everything
        }

        // The record of the erasure is out of the application's reach.
        await using var session = await OpenAsApplicationAsync(host);
        await AssertRefusedAsync(session, "SELECT count(*) FROM tenants.audit_erasures");
        await AssertRefusedAsync(session, "DELETE FROM tenants.audit_erasures");
        await using var owner = new NpgsqlConnection(host.OwnerConnectionString);
        await owner.OpenAsync(Ct);
        await using var record = new NpgsqlCommand("SELECT tenant_id, entries, last_sequence FROM tenants.audit_erasures", owner);
        await using var reader = await record.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal((a.Id, 1L, 1L), (reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2)));
        Assert.False(await reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task One_role_that_migrates_and_serves_still_works_on_postgres()
    {
        // The simple setup, without Database:MigrationConnectionString: the database's owner does both (a host on
        // OnSqlite's settings switched to a database of the test's making, as the benchmarks run one).
        var owner = PostgresServer.AsOwner(await postgres.CreateDatabaseAsync());
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = owner });

        var (a, _) = await TwoTenantsAsync(host);
        var trail = (await host.CreateClientAs("operator", Operator).GetFromJsonAsync<AuditTrailDto>(TenantsRoutes.AuditTrail(a.Id), Ct))!;
        Assert.Equal(["tenant.created"], trail.Entries.Select(e => e.Action));
        Assert.Equal(1, await EraseAsync(host, a, a.Id));
    }

    private const string TenantSetting = "app.tenant_id";

    private const string TenantRowSecurityPolicy = "tenant_isolation";

    private sealed record Table(string Schema, string Name, bool TenantOwned, bool Audit);

    /// <summary>Every table of every module's model, quoted: what the application's role works with.</summary>
    private static List<Table> ModelTables(ModularHost host)
    {
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetServices<ModuleDbContext>()
            .SelectMany(db => db.Model.GetEntityTypes())
            .Where(e => e.GetTableName() is not null)
            .Select(e => new Table(
                e.GetSchema()!,
                $"\"{e.GetSchema()}\".\"{e.GetTableName()}\"",
                typeof(ITenantOwned).IsAssignableFrom(e.ClrType),
                e.ClrType == typeof(AuditEntry)))
            .DistinctBy(t => t.Name)
            .ToList();
    }

    /// <summary>A session as the application's own connections open it, without the EF interceptor that sets the tenant.</summary>
    private static async Task<NpgsqlConnection> OpenAsApplicationAsync(ModularHost host)
    {
        var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task AssertRefusedAsync(NpgsqlConnection session, string sql)
    {
        try
        {
            await ExecuteAsync(session, sql);
        }
        catch (PostgresException refused) when (refused.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return;
        }

        Assert.Fail($"The application's role was allowed: {sql}");
    }

    private static async Task ExecuteAsync(NpgsqlConnection session, string sql)
    {
        await using var command = new NpgsqlCommand(sql, session);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection session, string sql)
    {
        await using var command = new NpgsqlCommand(sql, session);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>What a handler of <paramref name="scope"/>'s purge would run.</summary>
    private static async Task<long> EraseAsync(ModularHost host, TenantDto scope, Guid tenantId)
    {
        await using var services = host.Services.CreateAsyncScope();
        services.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(scope.Id, scope.Slug, scope.Plan, IsSuspended: false));
        return await services.ServiceProvider.GetRequiredService<TenantsDbContext>().EraseAuditTrailAsync(tenantId, Ct);
    }

    private static async Task<(TenantDto A, TenantDto B)> TwoTenantsAsync(ModularHost host)
    {
        var admin = host.CreateClientAs("operator", Operator);
        return (await TenantLifecycleTests.CreateAsync(admin, "acme"), await TenantLifecycleTests.CreateAsync(admin, "globex"));
    }
}
