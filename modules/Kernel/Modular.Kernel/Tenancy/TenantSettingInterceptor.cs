using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Modular.Kernel.Persistence;
using Npgsql;

namespace Modular.Kernel.Tenancy;

/// <summary>
/// PostgreSQL's second wall: every connection a module context opens is told whose rows it may touch
/// (<c>app.tenant_id</c>: a tenant id, <c>*</c> for all tenants, empty for none), and the row-level
/// security policies on tenant-owned tables (see <see cref="TenantRowSecurity"/>) enforce it, even for raw SQL.
/// Npgsql resets session settings when a pooled connection is returned, so nothing leaks between scopes.
/// </summary>
internal sealed class TenantSessionInterceptor : DbConnectionInterceptor
{
    public static readonly TenantSessionInterceptor Instance = new();

    public const string Setting = "app.tenant_id";

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is NpgsqlConnection npgsql && eventData.Context is ModuleDbContext db)
        {
            await using var command = Command(npgsql, db.TenantContext);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is NpgsqlConnection npgsql && eventData.Context is ModuleDbContext db)
        {
            using var command = Command(npgsql, db.TenantContext);
            command.ExecuteNonQuery();
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, ITenantContext tenant)
    {
        var command = new NpgsqlCommand($"SELECT set_config('{Setting}', @tenant, false)", connection);
        command.Parameters.AddWithValue("tenant", tenant.IsAllTenants ? "*" : tenant.Tenant?.Id.ToString() ?? "");
        return command;
    }
}
