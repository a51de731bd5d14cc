using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;

namespace Modular.Metering.UseCases.Plans;

/// <summary>Plans are platform-wide: operators define them, any caller allowed to read usage may read them.</summary>
internal static class PlanEndpoints
{
    /// <summary>What the body of PUT /plans/{key} carries: the whole definition, replaced.</summary>
    internal sealed record PlanChanges(string Currency, IReadOnlyList<ChargeDto>? Charges = null, IReadOnlyList<QuotaDto>? Quotas = null, string? Name = null);

    public static void MapPlans(this IEndpointRouteBuilder plans)
    {
        plans.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListPlans(), cancellationToken)))
            .WithName("ListPlans").WithSummary("List plans with their charges and quotas")
            .RequirePermission(MeteringPermissions.Read);

        plans.MapGet("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetPlan(key), cancellationToken)))
            .WithName("GetPlan").WithSummary("Get a plan")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

        plans.MapPost("/", async (CreatePlan command, ISender sender, CancellationToken cancellationToken) =>
            {
                var plan = await sender.Send(command, cancellationToken);
                return TypedResults.Created($"/api/v1/metering/plans/{plan.Key}", plan);
            })
            .WithName("CreatePlan").WithSummary("Define a plan's prices and quotas")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(MeteringPermissions.Manage);

        plans.MapPut("/{key}", async (string key, PlanChanges changes, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new UpdatePlan(key, changes.Currency, changes.Charges, changes.Quotas, changes.Name), cancellationToken)))
            .WithName("UpdatePlan").WithSummary("Replace a plan's prices and quotas")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);

        plans.MapDelete("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new DeletePlan(key), cancellationToken)))
            .WithName("DeletePlan").WithSummary("Delete a plan")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
    }
}
