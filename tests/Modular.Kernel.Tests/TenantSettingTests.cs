using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Npgsql;

namespace Modular.Kernel.Tests;

/// <summary>
/// PostgreSQL's tenant setting is transaction-local (docs/adr/0020): every kind of command a module runs is told its
/// scope, inside a transaction or out of one, without the setting changing what the command returns.
/// Row-level security is what is read here: the queries skip EF's own tenant filter.
/// </summary>
public sealed class TenantSettingTests(PostgresServer postgres)
{
    private static readonly TenantInfo Acme = new(Guid.NewGuid(), "acme", "free", IsSuspended: false);
    private static readonly TenantInfo Globex = new(Guid.NewGuid(), "globex", "free", IsSuspended: false);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_kind_of_command_outside_a_transaction_touches_only_its_tenants_rows_and_reports_its_own_result()
    {
        await using var services = await GadgetsAsync(acme: 3, globex: 2);
        await using var scope = Scope(services, s => s.Enter(Acme), out var db);

        Assert.Equal(3, (await db.Gadgets.IgnoreQueryFilters().ToListAsync(Ct)).Count); // a reader
        Assert.Equal(3, await db.Gadgets.IgnoreQueryFilters().CountAsync(Ct)); // a single value
        Assert.Equal([3], await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM widgets.gadgets").ToListAsync(Ct));
        Assert.Equal(3, await db.Database.ExecuteSqlRawAsync("UPDATE widgets.gadgets SET name = 'renamed'", Ct)); // rows affected
        Assert.Equal(3, await db.Gadgets.IgnoreQueryFilters().ExecuteUpdateAsync(set => set.SetProperty(g => g.Version, g => g.Version + 1), Ct));
        Assert.Equal(3, await db.Gadgets.IgnoreQueryFilters().Where(g => g.Name == "renamed").ExecuteDeleteAsync(Ct));

        await using var all = Scope(services, s => s.EnterAllTenants(), out var platform);
        Assert.Equal(2, await platform.Gadgets.CountAsync(Ct));
        await using var none = Scope(services, s => s.Leave(), out var nobody);
        Assert.Equal(0, await nobody.Gadgets.IgnoreQueryFilters().CountAsync(Ct));
    }

    [Fact]
    public async Task Saves_of_one_statement_and_of_many_run_in_the_scope_and_keep_their_concurrency_checks()
    {
        await using var services = await GadgetsAsync(acme: 2, globex: 0);
        await using var scope = Scope(services, s => s.Enter(Acme), out var db);
        var gadgets = await db.Gadgets.OrderBy(g => g.Name).ToListAsync(Ct);

        // Two updates and an insert in one batch: each statement's row count is checked where EF expects it.
        gadgets[0].Version++;
        gadgets[1].Version++;
        db.Gadgets.Add(new Gadget { Name = "third" });
        Assert.Equal(3, await db.SaveChangesAsync(Ct));

        // A stale write is still caught, one statement alone.
        await using var other = Scope(services, s => s.Enter(Acme), out var otherDb);
        var stale = await otherDb.Gadgets.SingleAsync(g => g.Id == gadgets[0].Id, Ct);
        gadgets[0].Version++;
        await db.SaveChangesAsync(Ct);
        stale.Version++;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => otherDb.SaveChangesAsync(Ct));

        // Raw SQL writing another tenant's row is refused by PostgreSQL itself (the policy's WITH CHECK).
        await using var globex = Scope(services, s => s.Enter(Globex), out var globexDb);
        var refused = await Assert.ThrowsAsync<PostgresException>(
            () => globexDb.Database.ExecuteSqlAsync($"INSERT INTO widgets.gadgets (id, tenant_id, name, version) VALUES ({Guid.NewGuid()}, {Acme.Id}, 'x', 0)", Ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task A_scope_changed_inside_an_open_transaction_is_what_the_next_command_sees()
    {
        await using var services = await GadgetsAsync(acme: 3, globex: 2);
        await using var scope = Scope(services, s => s.Enter(Acme), out var db);
        var tenantScope = scope.ServiceProvider.GetRequiredService<TenantScope>();

        var counts = await db.Database.InTransactionAsync(async token =>
        {
            var seen = new List<int> { await RawCountAsync(db, token) };
            tenantScope.Enter(Globex);
            seen.Add(await RawCountAsync(db, token));
            tenantScope.EnterAllTenants();
            seen.Add(await RawCountAsync(db, token));
            return seen;
        }, Ct);

        Assert.Equal([3, 2, 5], counts);
    }

    [Fact]
    public async Task A_session_setting_left_on_a_shared_server_connection_is_not_what_the_next_unit_of_work_sees()
    {
        // Behind PgBouncer in transaction mode, whatever a session was told stays on its server connection for the next
        // client's transaction. Someone careless tells every server connection of the pool "all tenants".
        await using var pgBouncer = await PgBouncerServer.StartAsync(postgres);
        await using var services = await GadgetsAsync(acme: 3, globex: 2, through: pgBouncer);
        var database = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.ConnectionString;
        await Task.WhenAll(Enumerable.Range(0, PgBouncerServer.PoolSize).Select(async _ =>
        {
            await using var careless = new NpgsqlConnection(database);
            await careless.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("SELECT set_config('app.tenant_id', '*', false), pg_sleep(0.3)", careless);
            await command.ExecuteNonQueryAsync(Ct);
        }));

        for (var i = 0; i < 2 * PgBouncerServer.PoolSize; i++)
        {
            await using var scope = Scope(services, s => s.Leave(), out var db);
            Assert.Equal(0, await db.Gadgets.IgnoreQueryFilters().CountAsync(Ct));
            Assert.Equal(0, await db.Database.InTransactionAsync(token => RawCountAsync(db, token), Ct));
            scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(Globex);
            Assert.Equal(2, await db.Gadgets.IgnoreQueryFilters().CountAsync(Ct));
        }
    }

    private static async Task<int> RawCountAsync(WidgetsDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM widgets.gadgets").ToListAsync(cancellationToken)).Single();

    private static AsyncServiceScope Scope(ServiceProvider services, Action<TenantScope> enter, out WidgetsDbContext db)
    {
        var scope = services.CreateAsyncScope();
        enter(scope.ServiceProvider.GetRequiredService<TenantScope>());
        db = scope.ServiceProvider.GetRequiredService<WidgetsDbContext>();
        return scope;
    }

    /// <summary>A database with <paramref name="acme"/> of Acme's gadgets and <paramref name="globex"/> of Globex's.</summary>
    private async Task<ServiceProvider> GadgetsAsync(int acme, int globex, PgBouncerServer? through = null)
    {
        var database = await postgres.CreateDatabaseAsync();
        var services = WidgetsModule.Build(DatabaseProvider.Postgres, through?.Through(database) ?? database, new RecordingPublisher());
        await services.CreateSchemaAsync();
        foreach (var (tenant, count) in new[] { (Acme, acme), (Globex, globex) })
        {
            await using var scope = Scope(services, s => s.Enter(tenant), out var db);
            for (var i = 0; i < count; i++)
            {
                db.Gadgets.Add(new Gadget { Name = $"{tenant.Slug}-{i}" });
                await db.SaveChangesAsync(Ct); // one statement per save, each in its own transaction
            }
        }

        return services;
    }
}
