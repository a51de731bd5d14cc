using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.DeletePlan;

/// <summary>Deletes a plan; its tenants then have no prices or quotas (statements already closed stay).</summary>
public sealed class DeletePlanHandler(MeteringDbContext db, EntitlementCache cache) : ICommandHandler<Contracts.DeletePlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(Contracts.DeletePlan command, CancellationToken cancellationToken)
    {
        var plan = await db.GetPlanAsync(command.Key, cancellationToken);
        db.Plans.Remove(plan);
        cache.ForgetPlanOnCommit(db, plan.Key);
        return plan.ToDto();
    }
}

internal static class DeletePlanEndpoint
{
    public static void MapDeletePlan(this IEndpointRouteBuilder plans) =>
        plans.MapDelete("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.DeletePlan(key), cancellationToken)))
            .WithName("DeletePlan").WithSummary("Delete a plan")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
}
