using Mediator;
using Microsoft.Extensions.Options;
using Modular.Kernel.Auditing;
using Modular.Tenants.Configuration;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.PurgeTenant;

/// <summary>
/// Ends a tenant past its retention, or one never activated in time; <see cref="TenantPurged"/> tells every module to
/// delete its data.
/// </summary>
public sealed class PurgeTenantHandler(TenantsDbContext db, ICaller caller, TimeProvider clock, IOptions<TenantsOptions> options)
    : ICommandHandler<Contracts.PurgeTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.PurgeTenant command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        var now = clock.GetUtcNow();
        var neverActivated = tenant.ActivationExpired(options.Value.ActivationWindow, now);
        tenant.Purge(now, options.Value.ActivationWindow);
        if (neverActivated)
        {
            db.Tenants.Remove(tenant); // no tombstone: nobody used it, and its slug is free again
        }

        db.Publish(new TenantPurged(tenant.Id, now), now);
        db.Audit(tenant.Id, caller, "tenant.purged", tenant.AuditTarget(), null, now);
        return tenant.ToDto();
    }
}
