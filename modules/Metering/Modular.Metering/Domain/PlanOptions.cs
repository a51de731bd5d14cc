namespace Modular.Metering.Domain;

/// <summary>A plan's prices (<c>Metering:Plans:{plan key}</c>): one charge per meter, in one currency.</summary>
public sealed class PlanOptions
{
    public string Currency { get; set; } = "USD";

    public List<ChargeOptions> Charges { get; set; } = [];
}

public sealed class ChargeOptions
{
    public string Meter { get; set; } = "";

    /// <summary>Flat, PerUnit, Graduated, Volume or Package.</summary>
    public string Model { get; set; } = nameof(ChargeModel.PerUnit);

    /// <summary>The flat amount, or the price of one package.</summary>
    public decimal Amount { get; set; }

    public decimal UnitPrice { get; set; }

    public List<TierOptions> Tiers { get; set; } = [];

    public decimal PackageSize { get; set; }

    public decimal IncludedQuantity { get; set; }

    internal Charge ToCharge(string currency) => new(
        Enum.Parse<ChargeModel>(Model, ignoreCase: true), currency, Amount, UnitPrice,
        Tiers.Select(t => new PriceTier(t.UpTo, t.UnitPrice, t.FlatFee)).ToList(), PackageSize, IncludedQuantity);
}

public sealed class TierOptions
{
    /// <summary>The last unit of the tier; unset for the open-ended last tier.</summary>
    public decimal? UpTo { get; set; }

    public decimal UnitPrice { get; set; }

    public decimal FlatFee { get; set; }
}
