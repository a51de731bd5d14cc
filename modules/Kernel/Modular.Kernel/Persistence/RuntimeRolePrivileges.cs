using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Modular.Kernel.Auditing;
using Modular.Kernel.Tenancy;
using Npgsql;

namespace Modular.Kernel.Persistence;

/// <summary>
/// When migrations run as their own role (<see cref="DatabaseOptions.MigrationConnectionString"/>) on PostgreSQL, gives
/// the application's runtime role what it needs in a module's schema and nothing more, derived from the EF model after
/// every migrate (as <see cref="TenantRowSecurity"/> derives the policies), so no module can forget a table or overgrant
/// one: USAGE on the schema; SELECT, INSERT, UPDATE, DELETE on the model's tables, but only SELECT and INSERT on the audit
/// trail, which stays append-only (<see cref="AuditErasure"/> is its one way out); SELECT on the migrations history, which
/// readiness reads; the schema's sequences. The runtime role owns nothing, so it cannot change the schema or switch
/// row-level security off. Explicit grants rather than default privileges: a default would hand every new table full
/// DML, the audit trail's included, and only the model says which table is which.
/// </summary>
internal static class RuntimeRolePrivileges
{
    public static async Task GrantAsync(ModuleDbContext db, DatabaseOptions database, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(database.MigrationConnectionString))
        {
            return;
        }

        var runtimeRole = new NpgsqlConnectionStringBuilder(database.ConnectionString).Username;
        if (string.IsNullOrEmpty(runtimeRole))
        {
            throw new InvalidOperationException(
                "Database:ConnectionString must name its role (Username=...) when Database:MigrationConnectionString is set: migrations grant that role its privileges.");
        }

        var migrationRole = await db.Database.SqlQuery<string>($"SELECT current_user::text AS \"Value\"").SingleAsync(cancellationToken);
        if (migrationRole == runtimeRole)
        {
            return; // one role does both: it owns the schema
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        var role = sql.DelimitIdentifier(runtimeRole);
        var schema = sql.DelimitIdentifier(db.Schema);
        var audit = db.Model.FindEntityType(typeof(AuditEntry));
        var statements = new List<string>
        {
            // From nothing, so that a privilege no longer derived (or granted by hand) does not linger.
            $"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            $"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
            $"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM {role}",
            $"REVOKE ALL ON SCHEMA {schema} FROM {role}",
            $"GRANT USAGE ON SCHEMA {schema} TO {role}",
            $"GRANT SELECT ON {sql.DelimitIdentifier(ModuleDatabase.HistoryTable, db.Schema)} TO {role}",
            $"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            $"GRANT EXECUTE ON FUNCTION {AuditErasure.Function(db)}(uuid) TO {role}",
        };
        foreach (var table in db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null)
            .GroupBy(e => sql.DelimitIdentifier(e.GetTableName()!, e.GetSchema())))
        {
            var privileges = table.Any(e => e == audit) ? "SELECT, INSERT" : "SELECT, INSERT, UPDATE, DELETE";
            statements.Add($"GRANT {privileges} ON {table.Key} TO {role}");
        }

        // In the migrator's transaction: instances still serving never see the role between its revokes and its grants.
#pragma warning disable EF1002 // identifiers from the compiled model and the configured role, delimited above
        await db.Database.ExecuteSqlRawAsync(string.Join(";\n", statements), cancellationToken);
#pragma warning restore EF1002
    }
}
