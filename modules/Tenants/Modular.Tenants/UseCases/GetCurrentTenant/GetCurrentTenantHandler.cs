using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.GetCurrentTenant;

public sealed class GetCurrentTenantHandler(TenantsDbContext db, ITenantContext scope) : IQueryHandler<Contracts.GetCurrentTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.GetCurrentTenant query, CancellationToken cancellationToken)
    {
        var current = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var tenant = await db.Tenants.AsNoTracking().FirstAsync(t => t.Id == current.Id, cancellationToken);
        return tenant.ToDto();
    }
}

internal static class GetCurrentTenantEndpoint
{
    /// <summary>The caller's own tenant: any signed-in member may read it.</summary>
    public static void MapGetCurrentTenant(this IEndpointRouteBuilder tenant) =>
        tenant.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetCurrentTenant(), cancellationToken)))
            .WithName("GetCurrentTenant")
            .WithSummary("The caller's tenant")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();
}
