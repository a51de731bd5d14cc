using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.ActivateTenant;

/// <summary>A tenant created pending activation starts serving: its owner confirmed (or an operator decided).</summary>
public sealed class ActivateTenantHandler(TenantsDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.ActivateTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.ActivateTenant command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        var now = clock.GetUtcNow();
        tenant.Activate();
        db.Publish(new TenantActivated(tenant.Id, now), now);
        db.Audit(tenant.Id, caller, "tenant.activated", tenant.AuditTarget(), null, now);
        return tenant.ToDto();
    }
}

internal static class ActivateTenantEndpoint
{
    public static void MapActivateTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapPost("/{id:guid}/activate", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ActivateTenant(id), cancellationToken)))
            .WithName("ActivateTenant")
            .WithSummary("Start serving a tenant created pending activation")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.Manage);
}
