using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Features.Contracts;
using Modular.Features.Persistence;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.GetTenantOverrides;

public sealed class GetTenantOverridesHandler(FeaturesDbContext db) : IQueryHandler<Contracts.GetTenantOverrides, IReadOnlyList<TenantOverrideDto>>
{
    public async ValueTask<IReadOnlyList<TenantOverrideDto>> Handle(Contracts.GetTenantOverrides query, CancellationToken cancellationToken) =>
        await db.Overrides.AsNoTracking()
            .Where(o => o.TenantId == query.TenantId)
            .Join(db.Flags, o => o.FlagId, f => f.Id, (o, f) => new { f.Key, Override = o })
            .OrderBy(row => row.Key)
            .Select(row => new TenantOverrideDto(row.Key, row.Override.TenantId, row.Override.Enabled, row.Override.Variant, row.Override.ExpiresAt))
            .ToListAsync(cancellationToken);
}

internal static class GetTenantOverridesEndpoint
{
    public static void MapGetTenantOverrides(this IEndpointRouteBuilder flags) =>
        flags.MapGet("/tenants/{tenantId:guid}", async (Guid tenantId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetTenantOverrides(tenantId), cancellationToken)))
            .WithName("GetTenantOverrides")
            .WithSummary("The feature flag overrides of one tenant")
            .RequirePermission(FeaturesPermissions.Read);
}
