using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.GetTenantAuditTrail;

/// <summary>A tenant's whole trail, verified: the caller's scope decides whether it may be read at all.</summary>
public sealed class GetTenantAuditTrailHandler(TenantsDbContext db) : IQueryHandler<Contracts.GetTenantAuditTrail, AuditTrailDto>
{
    public async ValueTask<AuditTrailDto> Handle(Contracts.GetTenantAuditTrail query, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == query.TenantId, cancellationToken))
        {
            throw new NotFoundException("Tenant", query.TenantId);
        }

        var entries = await db.AuditEntries.Trail(query.TenantId).ToListAsync(cancellationToken);
        var broken = AuditChain.FindBreak(entries);
        return new AuditTrailDto(query.TenantId, [.. entries.Select(e => e.ToDto())], broken is null, broken);
    }
}

internal static class GetTenantAuditTrailEndpoint
{
    public static void MapGetTenantAuditTrail(this IEndpointRouteBuilder tenants) =>
        tenants.MapGet("/{id:guid}/audit", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetTenantAuditTrail(id), cancellationToken)))
            .WithName("GetTenantAuditTrail")
            .WithSummary("A tenant's audit trail, with a check of its hash chain")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(TenantsPermissions.Read);

    /// <summary>The caller's own tenant's trail, for those who may read its audit log.</summary>
    public static void MapGetCurrentTenantAuditTrail(this IEndpointRouteBuilder tenant) =>
        tenant.MapGet("/audit", async (ITenantContext scope, ISender sender, CancellationToken cancellationToken) =>
            {
                var current = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
                return TypedResults.Ok(await sender.Send(new Contracts.GetTenantAuditTrail(current.Id), cancellationToken));
            })
            .WithName("GetCurrentTenantAuditTrail")
            .WithSummary("The caller's tenant's audit trail")
            .RequirePermission(TenantsPermissions.AuditRead); // who did what in the tenant is not every member's to read
}
