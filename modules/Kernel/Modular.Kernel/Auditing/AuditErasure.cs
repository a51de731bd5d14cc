using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Auditing;

/// <summary>
/// The one way the application's role may delete audit entries on PostgreSQL, for a purged tenant
/// (<see cref="ModuleDbContext.EraseAuditTrailAsync"/>): a function per module schema, created at migrate time, owned by
/// the migration role, <c>SECURITY DEFINER</c> with a fixed <c>search_path</c>. It erases one tenant's whole trail, never
/// a part of it, so no chain can be rewritten through it; row-level security still binds it (FORCE), so it erases only in
/// the caller's tenant scope; and each erasure is recorded in the schema's <c>audit_erasures</c>, which the application's
/// role can neither read nor change. It does not check that the tenant was purged: the database could only learn that
/// from another module's tables, and whatever the application could write to say so, a compromised session could too.
/// </summary>
internal static class AuditErasure
{
    private const string FunctionName = "erase_audit_trail";

    private const string Ledger = "audit_erasures";

    public static string Function(ModuleDbContext db) => db.GetService<ISqlGenerationHelper>().DelimitIdentifier(FunctionName, db.Schema);

    /// <summary>Creates (or replaces) the module's erasure function and its ledger, on PostgreSQL.</summary>
    public static async Task CreateAsync(ModuleDbContext db, CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var entity = db.Model.FindEntityType(typeof(AuditEntry))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
        var (audit, ledger, function) = (sql.DelimitIdentifier(table.Name, table.Schema), sql.DelimitIdentifier(Ledger, db.Schema), Function(db));
        var (tenant, sequence, hash) = (Column(nameof(AuditEntry.TenantId)), Column(nameof(AuditEntry.Sequence)), Column(nameof(AuditEntry.Hash)));

        // Identifiers come from the compiled model; the function reads nothing unqualified, so a search_path of
        // pg_catalog alone (temporary objects last) leaves nothing for a caller to shadow.
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS {ledger} (
                tenant_id uuid NOT NULL, erased_at timestamptz NOT NULL, entries bigint NOT NULL, last_sequence bigint NOT NULL, last_hash text NOT NULL);
            CREATE OR REPLACE FUNCTION {function}(erased_tenant uuid) RETURNS bigint
            LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
                WITH erased AS (DELETE FROM {audit} WHERE {tenant} = erased_tenant RETURNING {sequence} AS erased_sequence, {hash} AS erased_hash),
                recorded AS (
                    INSERT INTO {ledger} (tenant_id, erased_at, entries, last_sequence, last_hash)
                    SELECT erased_tenant, now(), count(*), max(erased_sequence), (array_agg(erased_hash ORDER BY erased_sequence DESC))[1] FROM erased HAVING count(*) > 0
                    RETURNING entries)
                SELECT coalesce((SELECT entries FROM recorded), 0)
            $$;
            REVOKE ALL ON FUNCTION {function}(uuid) FROM PUBLIC;
            """;
#pragma warning disable EF1002 // see above: no input reaches this statement
        await db.Database.ExecuteSqlRawAsync(ddl, cancellationToken);
#pragma warning restore EF1002
    }

    /// <summary>The call <see cref="ModuleDbContext.EraseAuditTrailAsync"/> makes, the tenant as parameter {0}.</summary>
    public static string CallSql(ModuleDbContext db) => $"SELECT {Function(db)}({{0}}) AS \"Value\"";
}
