using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.ReactivateTenant;

public sealed class ReactivateTenantHandler(TenantsDbContext db, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.ReactivateTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.ReactivateTenant command, CancellationToken cancellationToken)
    {
        var tenant = await db.GetTenantAsync(command.Id, cancellationToken);
        var now = clock.GetUtcNow();
        var was = tenant.Status;
        tenant.Reactivate();
        db.Publish(new TenantReactivated(tenant.Id, now), now);
        db.Audit(tenant.Id, caller, "tenant.reactivated", tenant.AuditTarget(), new { was = was.ToString() }, now);
        return tenant.ToDto();
    }
}

internal static class ReactivateTenantEndpoint
{
    public static void MapReactivateTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapPost("/{id:guid}/reactivate", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ReactivateTenant(id), cancellationToken)))
            .WithName("ReactivateTenant")
            .WithSummary("End a suspension or cancel a scheduled deletion")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(TenantsPermissions.Manage);
}
