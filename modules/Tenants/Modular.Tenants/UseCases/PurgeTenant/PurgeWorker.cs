using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Configuration;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.PurgeTenant;

/// <summary>
/// Purges tenants whose retention is over, and drops those a sign-up created that were never activated in time.
/// Several instances may run it: a tenant purged by another
/// instance first fails here with a conflict (its version moved), which is skipped.
/// </summary>
internal sealed partial class PurgeWorker(IServiceScopeFactory scopes, IOptions<TenantsOptions> options, TimeProvider clock, ILogger<PurgeWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, clock);
        do
        {
            try
            {
                await PurgeDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> PurgeDueAsync(CancellationToken cancellationToken)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = clock.GetUtcNow();
            var unconfirmedSince = now - options.Value.ActivationWindow;
            due = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().Tenants
                .Where(t => (t.Status == TenantStatus.PendingDeletion && t.PurgeAfter <= now)
                    || (t.Status == TenantStatus.PendingActivation && t.CreatedAt <= unconfirmedSince))
                .Select(t => t.Id)
                .ToListAsync(cancellationToken);
        }

        var purged = 0;
        foreach (var id in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            try
            {
                await scope.ServiceProvider.GetRequiredService<ISender>().Send(new Contracts.PurgeTenant(id), cancellationToken);
                purged++;
            }
            catch (Exception e) when (e is ConflictException or DbUpdateConcurrencyException)
            {
                // Purged by another instance meanwhile.
            }
        }

        return purged;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Purging tenants past their retention failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
