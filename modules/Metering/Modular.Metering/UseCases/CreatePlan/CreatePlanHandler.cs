using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.CreatePlan;

public sealed class CreatePlanHandler(MeteringDbContext db, EntitlementCache cache, TimeProvider clock) : ICommandHandler<Contracts.CreatePlan, PlanDto>
{
    public async ValueTask<PlanDto> Handle(Contracts.CreatePlan command, CancellationToken cancellationToken)
    {
        if (await db.Plans.AnyAsync(p => p.Key == command.Key, cancellationToken))
        {
            throw new ConflictException($"A plan with key '{command.Key}' already exists.");
        }

        var plan = Plan.Create(command, clock.GetUtcNow());
        db.Plans.Add(plan);
        cache.ForgetPlanOnCommit(db, plan.Key); // tenants already on this key may have been checked without a plan
        return plan.ToDto();
    }
}

internal sealed class CreatePlanValidator : AbstractValidator<Contracts.CreatePlan>
{
    /// <summary>The tenants module's rule for a tenant's plan key: a plan is found by it.</summary>
    public const string KeyPattern = "^[a-z0-9-]+$";

    public CreatePlanValidator(MeteringDbContext db)
    {
        RuleFor(p => p.Key).NotEmpty().MaximumLength(Plan.KeyMaxLength).Matches(KeyPattern)
            .WithMessage("A plan key uses lower-case letters, digits and hyphens, as the tenants module's plan keys do.");
        RuleFor(p => p.Name).MaximumLength(Plan.NameMaxLength);
        Include(new PlanDefinitionRules(db));
    }
}

internal static class CreatePlanEndpoint
{
    public static void MapCreatePlan(this IEndpointRouteBuilder plans) =>
        plans.MapPost("/", async (Contracts.CreatePlan command, ISender sender, CancellationToken cancellationToken) =>
            {
                var plan = await sender.Send(command, cancellationToken);
                return TypedResults.Created(MeteringRoutes.Plan(plan.Key), plan);
            })
            .WithName("CreatePlan").WithSummary("Define a plan's prices and quotas")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(MeteringPermissions.Manage);
}
