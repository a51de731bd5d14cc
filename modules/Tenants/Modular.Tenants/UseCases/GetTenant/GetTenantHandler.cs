using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Tenants.Contracts;
using Modular.Tenants.Domain;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.UseCases.GetTenant;

public sealed class GetTenantHandler(TenantsDbContext db) : IQueryHandler<Contracts.GetTenant, TenantDto>
{
    public async ValueTask<TenantDto> Handle(Contracts.GetTenant query, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Tenant", query.Id);
        return tenant.ToDto();
    }
}

internal static class GetTenantEndpoint
{
    public static void MapGetTenant(this IEndpointRouteBuilder tenants) =>
        tenants.MapGet("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetTenant(id), cancellationToken)))
            .WithName("GetTenant")
            .WithSummary("Get a tenant")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(TenantsPermissions.Read);
}
