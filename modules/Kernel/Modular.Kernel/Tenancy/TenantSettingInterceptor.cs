using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Modular.Kernel.Persistence;
using Npgsql;

namespace Modular.Kernel.Tenancy;

/// <summary>
/// PostgreSQL's second wall: every statement a module context runs is told whose rows it may touch
/// (<c>app.tenant_id</c>: a tenant id, <c>*</c> for all tenants, empty for none), and the row-level security policies on
/// tenant-owned tables (see <see cref="TenantRowSecurity"/>) enforce it, even for raw SQL.
/// <para>
/// The setting is <b>transaction-local</b>, never left on a connection: behind PgBouncer in transaction mode the next
/// transaction may run on another client's server connection, and a session setting would carry one tenant's id into
/// another's statements (docs/adr/0020). A transaction is told when it begins (which also covers raw ADO commands
/// inside it), and again before a command if the scope changed since. A command outside any transaction carries the
/// setting in its own batch, ahead of its SQL: a <c>DO</c> block that returns no rows, so readers, scalars and row
/// counts see only the command's own statements; the batch is one implicit transaction up to its Sync, so the setting
/// covers it and dies with it. Saves always run in a transaction (<see cref="ModuleDbContext"/> asks EF to), and are
/// never prefixed: EF checks a save's row counts statement by statement.
/// </para>
/// </summary>
internal sealed class TenantSettingInterceptor : DbCommandInterceptor, IDbTransactionInterceptor
{
    public static readonly TenantSettingInterceptor Instance = new();

    public const string Setting = "app.tenant_id";

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Prepare(command, eventData);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await PrepareAsync(command, eventData, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Prepare(command, eventData);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await PrepareAsync(command, eventData, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Prepare(command, eventData);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await PrepareAsync(command, eventData, cancellationToken);
        return result;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (Target(eventData.Context) is { } db)
        {
            using var set = SetInTransaction(db, result);
            set.ExecuteNonQuery();
        }

        return result;
    }

    public async ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        if (Target(eventData.Context) is { } db)
        {
            await using var set = SetInTransaction(db, result);
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        return result;
    }

    private static void Prepare(DbCommand command, CommandEventData eventData)
    {
        if (Target(eventData.Context) is not { } db || eventData.CommandSource == CommandSource.Migrations)
        {
            return;
        }

        if (command.Transaction is null)
        {
            Prefix(command, db);
        }
        else if (!IsToldOf(db, command.Transaction))
        {
            using var set = SetInTransaction(db, command.Transaction);
            set.ExecuteNonQuery();
        }
    }

    private static async ValueTask PrepareAsync(DbCommand command, CommandEventData eventData, CancellationToken cancellationToken)
    {
        if (Target(eventData.Context) is not { } db || eventData.CommandSource == CommandSource.Migrations)
        {
            return;
        }

        if (command.Transaction is null)
        {
            Prefix(command, db);
        }
        else if (!IsToldOf(db, command.Transaction))
        {
            await using var set = SetInTransaction(db, command.Transaction);
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static ModuleDbContext? Target(Microsoft.EntityFrameworkCore.DbContext? context) => context as ModuleDbContext;

    /// <summary>The setting's value for the context's scope. Built from the scope, never from input: safe to inline.</summary>
    private static string ValueFor(ModuleDbContext db) =>
        db.TenantContext.IsAllTenants ? "*" : db.TenantContext.Tenant?.Id.ToString("D") ?? "";

    private static bool IsToldOf(ModuleDbContext db, DbTransaction transaction) =>
        db.TenantSettingTold is var (told, value) && ReferenceEquals(told, transaction) && value == ValueFor(db);

    private static NpgsqlCommand SetInTransaction(ModuleDbContext db, DbTransaction transaction)
    {
        var value = ValueFor(db);
        db.TenantSettingTold = (transaction, value);
        var command = new NpgsqlCommand($"SELECT set_config('{Setting}', @tenant, true)", (NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction);
        command.Parameters.AddWithValue("tenant", value);
        return command;
    }

    /// <summary>Runs the command's own statements after one that sets the tenant for their implicit transaction only.</summary>
    private static void Prefix(DbCommand command, ModuleDbContext db) =>
        command.CommandText = $"DO $$BEGIN PERFORM set_config('{Setting}', '{ValueFor(db)}', true); END$$;\n" + command.CommandText;
}
