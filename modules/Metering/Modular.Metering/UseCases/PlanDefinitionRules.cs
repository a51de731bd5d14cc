using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases;

/// <summary>
/// The rules every plan definition obeys, so a stored plan always prices: a known currency, known
/// meters, a charge model with what it needs (ascending tiers ending open, a package size above zero),
/// no negative money, one quota per meter.
/// </summary>
internal sealed class PlanDefinitionRules : AbstractValidator<IPlanDefinition>
{
    public PlanDefinitionRules(MeteringDbContext db)
    {
        RuleFor(p => p.Currency).NotEmpty().Must(CurrencyCodes.IsKnown).WithMessage("An ISO 4217 currency code, e.g. USD or EUR.");
        RuleFor(p => p.Charges!).Must(c => c.Count <= Plan.MaxCharges).WithMessage($"At most {Plan.MaxCharges} charges.").When(p => p.Charges is not null);
        RuleForEach(p => p.Charges).NotNull().ChildRules(charge =>
        {
            charge.RuleFor(c => c.Meter).NotEmpty().MustAsync((meter, ct) => db.Meters.AnyAsync(m => m.Key == meter, ct))
                .WithMessage("No meter has this key.");
            charge.RuleFor(c => c.Model).NotEmpty().Must(m => ChargeModels.All.Contains(m, StringComparer.OrdinalIgnoreCase))
                .WithMessage($"One of {string.Join(", ", ChargeModels.All)}.");
            charge.RuleFor(c => c.Amount).GreaterThanOrEqualTo(0);
            charge.RuleFor(c => c.UnitPrice).GreaterThanOrEqualTo(0);
            charge.RuleFor(c => c.IncludedQuantity).GreaterThanOrEqualTo(0);
            charge.RuleFor(c => c.PackageSize).GreaterThan(0).When(c => Is(c, ChargeModels.Package))
                .WithMessage("A package charge needs a package size above zero.");
            charge.RuleFor(c => c.Tiers!).Must(AscendAndEndOpen).When(c => Is(c, ChargeModels.Graduated) || Is(c, ChargeModels.Volume))
                .WithMessage($"Tiers ascend by upTo (at most {Plan.MaxTiers}) and the last one is open-ended (no upTo).");
            charge.RuleForEach(c => c.Tiers).Must(t => t is not null && t.UnitPrice >= 0 && t.FlatFee >= 0 && t.UpTo is null or > 0)
                .WithMessage("Tier prices are not negative and upTo is above zero.");
        });
        RuleFor(p => p.Quotas!).Must(q => q.Where(x => x is not null).Select(x => x.Meter).Distinct().Count() == q.Count)
            .WithMessage("One quota per meter.").When(p => p.Quotas is not null);
        RuleForEach(p => p.Quotas).NotNull().ChildRules(quota =>
        {
            quota.RuleFor(q => q.Meter).NotEmpty().MustAsync((meter, ct) => db.Meters.AnyAsync(m => m.Key == meter, ct))
                .WithMessage("No meter has this key.");
            quota.RuleFor(q => q.Limit).GreaterThanOrEqualTo(0);
            quota.RuleFor(q => q.Enforcement).NotEmpty().Must(e => QuotaEnforcements.All.Contains(e, StringComparer.OrdinalIgnoreCase))
                .WithMessage($"One of {string.Join(", ", QuotaEnforcements.All)}.");
        });
    }

    private static bool Is(ChargeDto charge, string model) => string.Equals(charge.Model, model, StringComparison.OrdinalIgnoreCase);

    private static bool AscendAndEndOpen(IReadOnlyList<TierDto>? tiers) =>
        tiers is { Count: > 0 and <= Plan.MaxTiers }
        && tiers.All(t => t is not null)
        && tiers[^1].UpTo is null
        && tiers.Zip(tiers.Skip(1)).All(pair => pair.First.UpTo is { } upTo && (pair.Second.UpTo is null || upTo < pair.Second.UpTo));
}
