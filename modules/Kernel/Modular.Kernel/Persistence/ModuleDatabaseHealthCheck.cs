using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Modular.Kernel.Persistence;

/// <summary>
/// Ready means the module's database answers and its schema is current: a host whose migrations were
/// not applied must not take traffic.
/// </summary>
internal sealed class ModuleDatabaseHealthCheck<TContext>(TContext db) : IHealthCheck
    where TContext : ModuleDbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy($"The {db.Schema} database cannot be reached.");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{pending} migration(s) of {db.Schema} are not applied; run the host with --migrate.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The {db.Schema} database failed its check.", e);
        }
    }
}
