using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.ListPlans;

/// <summary>Plans are platform-wide: operators define them, any caller allowed to read usage may read them.</summary>
public sealed class ListPlansHandler(MeteringDbContext db) : IQueryHandler<Contracts.ListPlans, IReadOnlyList<PlanDto>>
{
    public async ValueTask<IReadOnlyList<PlanDto>> Handle(Contracts.ListPlans query, CancellationToken cancellationToken) =>
        (await db.Plans.AsNoTracking().OrderBy(p => p.Key).ToListAsync(cancellationToken)).Select(p => p.ToDto()).ToList();
}

internal static class ListPlansEndpoint
{
    public static void MapListPlans(this IEndpointRouteBuilder plans) =>
        plans.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListPlans(), cancellationToken)))
            .WithName("ListPlans").WithSummary("List plans with their charges and quotas")
            .RequirePermission(MeteringPermissions.Read);
}
