using Mediator;
using Modular.Kernel.Auditing;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.PurgeTenant;

/// <summary>Ends a tenant past its retention; <see cref="TenantPurged"/> tells every module to delete its data.</summary>
public sealed class PurgeTenantHandler(TenantsDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.PurgeTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.PurgeTenant command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        var now = clock.GetUtcNow();
        tenant.Purge(now);
        db.Publish(new TenantPurged(tenant.Id, now), now);
        db.Audit(tenant.Id, caller, "tenant.purged", tenant.AuditTarget(), null, now);
        return tenant.ToDto();
    }
}
