namespace Modular.Metering.Domain;

/// <summary>An amount of money: decimal, never floating point, always with its currency (ISO 4217).</summary>
internal readonly record struct Money(decimal Amount, string Currency)
{
    public static Money Zero(string currency) => new(0, currency);

    public override string ToString() => $"{Amount:0.00##} {Currency}";
}

internal enum ChargeModel
{
    /// <summary>A fixed amount per period, whatever the usage.</summary>
    Flat,

    /// <summary>Every billable unit at one price.</summary>
    PerUnit,

    /// <summary>Each unit at the price of the tier it falls in (the first 100 at $1, the next at $0.50).</summary>
    Graduated,

    /// <summary>Every unit at the price of the tier the total falls in (150 units: all at the 101+ price).</summary>
    Volume,

    /// <summary>Whole packages of <see cref="Charge.PackageSize"/> units, a started package counts whole.</summary>
    Package,
}

/// <summary>A tier up to and including <see cref="UpTo"/> units (null: no upper bound), with an optional flat fee for reaching it.</summary>
internal sealed record PriceTier(decimal? UpTo, decimal UnitPrice, decimal FlatFee = 0);

/// <summary>
/// How one meter's usage is charged in a plan. <see cref="IncludedQuantity"/> units are free and come off
/// first; the model then prices the rest (tiers count from the first billable unit).
/// </summary>
internal sealed record Charge(
    ChargeModel Model,
    string Currency,
    decimal Amount = 0,
    decimal UnitPrice = 0,
    IReadOnlyList<PriceTier>? Tiers = null,
    decimal PackageSize = 0,
    decimal IncludedQuantity = 0);

/// <summary>Prices a quantity under a charge; pure, so the billing rules are checked without a database.</summary>
internal static class PriceCalculator
{
    public static Money Price(Charge charge, decimal quantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quantity);
        var billable = Math.Max(0, quantity - charge.IncludedQuantity);
        var amount = charge.Model switch
        {
            ChargeModel.Flat => charge.Amount,
            ChargeModel.PerUnit => billable * charge.UnitPrice,
            ChargeModel.Graduated => Graduated(Tiers(charge), billable),
            ChargeModel.Volume => Volume(Tiers(charge), billable),
            ChargeModel.Package => Package(charge, billable),
            _ => throw new ArgumentOutOfRangeException(nameof(charge), charge.Model, "Unknown charge model."),
        };
        return new Money(amount, charge.Currency);
    }

    private static decimal Graduated(IReadOnlyList<PriceTier> tiers, decimal quantity)
    {
        decimal amount = 0, lower = 0;
        foreach (var tier in tiers)
        {
            if (quantity <= lower)
            {
                break;
            }

            var inTier = Math.Min(quantity, tier.UpTo ?? decimal.MaxValue) - lower;
            amount += (inTier * tier.UnitPrice) + tier.FlatFee;
            lower = tier.UpTo ?? decimal.MaxValue;
        }

        return amount;
    }

    private static decimal Volume(IReadOnlyList<PriceTier> tiers, decimal quantity)
    {
        if (quantity == 0)
        {
            return 0;
        }

        var tier = tiers.First(t => t.UpTo is null || quantity <= t.UpTo);
        return (quantity * tier.UnitPrice) + tier.FlatFee;
    }

    private static decimal Package(Charge charge, decimal quantity)
    {
        if (charge.PackageSize <= 0)
        {
            throw new ArgumentException("A package charge needs a package size above zero.", nameof(charge));
        }

        return Math.Ceiling(quantity / charge.PackageSize) * charge.Amount;
    }

    /// <summary>Tiers in order, the last one open-ended, so every quantity falls in one.</summary>
    private static IReadOnlyList<PriceTier> Tiers(Charge charge)
    {
        var tiers = charge.Tiers ?? [];
        if (tiers.Count == 0 || tiers[^1].UpTo is not null || tiers.Zip(tiers.Skip(1)).Any(p => p.First.UpTo is null || p.First.UpTo >= p.Second.UpTo))
        {
            throw new ArgumentException("Tiers must ascend and end with an open-ended tier.", nameof(charge));
        }

        return tiers;
    }
}
