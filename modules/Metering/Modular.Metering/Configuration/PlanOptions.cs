using Modular.Metering.Contracts;

namespace Modular.Metering.Configuration;

/// <summary>
/// A plan's seed (<c>Metering:Plans:{plan key}</c>): its charges and quotas, in one currency. Copied into
/// the plans table at start-up when no plan has that key; from then on the table is the truth.
/// </summary>
public sealed class PlanOptions
{
    public string? Name { get; set; }

    public string Currency { get; set; } = "USD";

    public List<ChargeOptions> Charges { get; set; } = [];

    public List<QuotaOptions> Quotas { get; set; } = [];

    internal CreatePlan ToCreatePlan(string key) => new(
        key,
        Currency,
        [.. Charges.Select(c => new ChargeDto(c.Meter, c.Model, c.Amount, c.UnitPrice, [.. c.Tiers.Select(t => new TierDto(t.UpTo, t.UnitPrice, t.FlatFee))], c.PackageSize, c.IncludedQuantity))],
        [.. Quotas.Select(q => new QuotaDto(q.Meter, q.Limit, q.Enforcement))],
        Name);
}

public sealed class QuotaOptions
{
    public string Meter { get; set; } = "";

    public decimal Limit { get; set; }

    /// <summary>Hard (refuse beyond the limit) or Soft (report only).</summary>
    public string Enforcement { get; set; } = QuotaEnforcements.Hard;
}

public sealed class ChargeOptions
{
    public string Meter { get; set; } = "";

    /// <summary>Flat, PerUnit, Graduated, Volume or Package.</summary>
    public string Model { get; set; } = ChargeModels.PerUnit;

    /// <summary>The flat amount, or the price of one package.</summary>
    public decimal Amount { get; set; }

    public decimal UnitPrice { get; set; }

    public List<TierOptions> Tiers { get; set; } = [];

    public decimal PackageSize { get; set; }

    public decimal IncludedQuantity { get; set; }

}

public sealed class TierOptions
{
    /// <summary>The last unit of the tier; unset for the open-ended last tier.</summary>
    public decimal? UpTo { get; set; }

    public decimal UnitPrice { get; set; }

    public decimal FlatFee { get; set; }
}
