using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.UpdatePlan;

public sealed class UpdatePlanHandler(MeteringDbContext db, EntitlementCache cache, TimeProvider clock) : ICommandHandler<Contracts.UpdatePlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(Contracts.UpdatePlan command, CancellationToken cancellationToken)
    {
        var plan = await db.GetPlanAsync(command.Key, cancellationToken);
        plan.Change(command.Name, command, clock.GetUtcNow());
        cache.ForgetPlanOnCommit(db, plan.Key); // every instance sees the new quotas once they commit
        return plan.ToDto();
    }
}

internal sealed class UpdatePlanValidator : AbstractValidator<Contracts.UpdatePlan>
{
    public UpdatePlanValidator(MeteringDbContext db)
    {
        RuleFor(p => p.Name).MaximumLength(Plan.NameMaxLength);
        Include(new PlanDefinitionRules(db));
    }
}

/// <summary>What the body of PUT /plans/{key} carries: the whole definition, replaced.</summary>
internal sealed record UpdatePlanBody(string Currency, IReadOnlyList<ChargeDto>? Charges = null, IReadOnlyList<QuotaDto>? Quotas = null, string? Name = null);

internal static class UpdatePlanEndpoint
{
    public static void MapUpdatePlan(this IEndpointRouteBuilder plans) =>
        plans.MapPut("/{key}", async (string key, UpdatePlanBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.UpdatePlan(key, body.Currency, body.Charges, body.Quotas, body.Name), cancellationToken)))
            .WithName("UpdatePlan").WithSummary("Replace a plan's prices and quotas")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
}
