using Mediator;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases;

/// <summary>
/// One meter's charge for a period: the usage and what it costs by the plan. The invoice preview and the
/// closed statement both price this way, from the rollups through <see cref="Contracts.QueryMeter"/>, so
/// the preview of a period and its statement agree.
/// </summary>
internal sealed record PricedCharge(string Meter, string Model, decimal Quantity, Money Price);

internal static class PeriodPricing
{
    /// <summary>Prices each of the plan's charges over [start, end) for the tenant in scope, in the period's time zone.</summary>
    public static async Task<List<PricedCharge>> PriceAsync(
        this ISender sender, Plan plan, DateTimeOffset start, DateTimeOffset end, string timeZone, CancellationToken cancellationToken)
    {
        var charges = new List<PricedCharge>();
        foreach (var charge in plan.Charges)
        {
            var usage = await sender.Send(new Contracts.QueryMeter(charge.Meter, start, end, WindowTimeZone: timeZone), cancellationToken);
            var quantity = (decimal)(usage.Rows.Count == 0 ? 0 : usage.Rows[0].Value ?? 0);
            charges.Add(new PricedCharge(charge.Meter, charge.Model, quantity, PriceCalculator.Price(plan.PriceOf(charge), quantity)));
        }

        return charges;
    }
}
