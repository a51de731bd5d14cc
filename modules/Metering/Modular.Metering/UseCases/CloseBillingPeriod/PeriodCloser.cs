using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Metering.UseCases.CloseBillingPeriod;

/// <summary>
/// Closes every tenant's period that ended at least <see cref="MeteringOptions.PeriodCloseGrace"/> ago
/// (the grace lets late events of the period's last minutes arrive first), through the same
/// <see cref="Contracts.CloseBillingPeriod"/> command as the API, so a period closed by hand is not closed again.
/// One instance runs it at a time (<see cref="ExclusiveWork"/>).
/// </summary>
internal sealed partial class PeriodCloser(IServiceScopeFactory scopes, ExclusiveWork exclusive, TimeProvider clock, IOptions<MeteringOptions> options, ILogger<PeriodCloser> logger) : BackgroundService
{
    private const long LockKey = 0x4d657465726e67; // "Meterng": one key for the whole platform's period closing

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PeriodCloseInterval, clock);
        do
        {
            try
            {
                await CloseEndedPeriodsAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Closes each tenant's last ended period once past the grace; false when another instance holds the lock.</summary>
    public async Task<bool> CloseEndedPeriodsAsync(CancellationToken cancellationToken)
    {
        return await exclusive.RunAloneAsync(LockKey, CloseAllAsync, cancellationToken);
    }

    private async Task CloseAllAsync(CancellationToken cancellationToken)
    {
        // The period "now minus the grace" falls in; the one before it has ended at least the grace ago.
        var cutOff = clock.GetUtcNow() - options.Value.PeriodCloseGrace;
        for (var page = 1; ; page++)
        {
            TenantPage tenants;
            await using (var listing = scopes.CreateAsyncScope())
            {
                tenants = await listing.ServiceProvider.GetRequiredService<ISender>().Send(new ListTenants(page, PageSize: 100), cancellationToken);
            }

            foreach (var tenant in tenants.Items.Where(t => t.Status is not (TenantStatuses.Deleted or TenantStatuses.PendingActivation)))
            {
                await CloseAsync(tenant, cutOff, cancellationToken);
            }

            if (page * tenants.PageSize >= tenants.Total)
            {
                return;
            }
        }
    }

    private async Task CloseAsync(TenantDto tenant, DateTimeOffset cutOff, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(tenant.Id, tenant.Slug, tenant.Plan, tenant.Status != TenantStatuses.Active));
        var zone = await scope.ServiceProvider.GetRequiredService<MeteringDbContext>().BillingTimeZoneAsync(cancellationToken) ?? options.Value.BillingTimeZone;
        var period = BillingPeriod.Previous(cutOff, zone);
        try
        {
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new Contracts.CloseBillingPeriod(period.Name), cancellationToken);
        }
        catch (NotFoundException)
        {
            // The tenant's plan has no prices: nothing to bill.
        }
        catch (ProblemException e)
        {
            LogNotClosed(logger, tenant.Slug, period.Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Closing billing periods failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The billing period {Period} of tenant {Tenant} was not closed: {Reason}")]
    private static partial void LogNotClosed(ILogger logger, string tenant, string period, string reason);
}
