using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases;

internal static class PlanMapping
{
    public static PlanDto ToDto(this Plan plan) => new(plan.Key, plan.Name, plan.Currency, plan.Charges, plan.Quotas, plan.CreatedAt, plan.UpdatedAt);
}
