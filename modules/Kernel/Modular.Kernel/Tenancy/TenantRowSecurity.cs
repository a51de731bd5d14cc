using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Tenancy;

/// <summary>
/// Puts every tenant-owned table of a module under row-level security on PostgreSQL, derived from the
/// EF model after its migrations, so no module can forget it: a row is visible and writable only when
/// the connection's <c>app.tenant_id</c> is its tenant (or <c>*</c>). FORCE makes it bind the table owner too.
/// </summary>
internal static class TenantRowSecurity
{
    public const string PolicyName = "tenant_isolation";

    public static async Task ApplyAsync(ModuleDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
        {
            return;
        }

        foreach (var entity in db.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var qualified = $"\"{table.Schema}\".\"{table.Name}\"";
            var column = entity.FindProperty(nameof(ITenantOwned.TenantId))!.GetColumnName(table)!;
            var visible = $"current_setting('{TenantSettingInterceptor.Setting}', true) IN (\"{column}\"::text, '*')";

            // Identifiers come from the compiled model, never from input.
            var sql = $"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY; " +
                $"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY; " +
                $"DROP POLICY IF EXISTS {PolicyName} ON {qualified}; " +
                $"CREATE POLICY {PolicyName} ON {qualified} USING ({visible}) WITH CHECK ({visible});";
#pragma warning disable EF1002 // see above: no user input reaches this statement
            await db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
#pragma warning restore EF1002
        }
    }
}
