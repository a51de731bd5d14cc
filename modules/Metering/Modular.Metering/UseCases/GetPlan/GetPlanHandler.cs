using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.GetPlan;

public sealed class GetPlanHandler(MeteringDbContext db) : IQueryHandler<Contracts.GetPlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(Contracts.GetPlan query, CancellationToken cancellationToken) =>
        (await db.GetPlanAsync(query.Key, cancellationToken)).ToDto();
}

internal static class GetPlanEndpoint
{
    public static void MapGetPlan(this IEndpointRouteBuilder plans) =>
        plans.MapGet("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetPlan(key), cancellationToken)))
            .WithName("GetPlan").WithSummary("Get a plan")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
