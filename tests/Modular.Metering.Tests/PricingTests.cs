using Modular.Metering.Domain;

namespace Modular.Metering.Tests;

/// <summary>The charge models, on the numbers; money is decimal with its currency.</summary>
public sealed class PricingTests
{
    private static readonly PriceTier[] Tiers = [new(100, 1.00m), new(null, 0.50m)];

    [Theory]
    [InlineData(150, 125)]
    [InlineData(100, 100)]
    [InlineData(101, 100.50)]
    [InlineData(0, 0)]
    public void Graduated_tiers_price_each_unit_in_its_own_tier(int units, decimal expected) =>
        Assert.Equal(new Money(expected, "USD"), PriceCalculator.Price(new Charge(ChargeModel.Graduated, "USD", Tiers: Tiers), units));

    [Theory]
    [InlineData(150, 75)]
    [InlineData(100, 100)]
    [InlineData(0, 0)]
    public void Volume_tiers_price_every_unit_at_the_tier_of_the_total(int units, decimal expected) =>
        Assert.Equal(new Money(expected, "USD"), PriceCalculator.Price(new Charge(ChargeModel.Volume, "USD", Tiers: Tiers), units));

    [Theory]
    [InlineData(150, 20)]
    [InlineData(100, 10)]
    [InlineData(1, 10)]
    [InlineData(0, 0)]
    public void A_started_package_is_paid_whole(int units, decimal expected) =>
        Assert.Equal(new Money(expected, "USD"), PriceCalculator.Price(new Charge(ChargeModel.Package, "USD", Amount: 10m, PackageSize: 100), units));

    [Fact]
    public void Flat_and_per_unit_charges_and_included_quantities()
    {
        Assert.Equal(new Money(49m, "EUR"), PriceCalculator.Price(new Charge(ChargeModel.Flat, "EUR", Amount: 49m), 1_000_000));
        Assert.Equal(new Money(0.3m, "EUR"), PriceCalculator.Price(new Charge(ChargeModel.PerUnit, "EUR", UnitPrice: 0.1m), 3));
        // Included units come off first; the tiers then price what is left (50 units, all in the first tier).
        Assert.Equal(new Money(50m, "USD"), PriceCalculator.Price(new Charge(ChargeModel.Graduated, "USD", Tiers: Tiers, IncludedQuantity: 100), 150));
        Assert.Equal(new Money(0m, "USD"), PriceCalculator.Price(new Charge(ChargeModel.PerUnit, "USD", UnitPrice: 1m, IncludedQuantity: 1000), 999));
        Assert.Equal(new Money(15m, "USD"), PriceCalculator.Price(new Charge(ChargeModel.Graduated, "USD", Tiers: [new(10, 1m, FlatFee: 5m), new(null, 0m)]), 10));
    }

    [Fact]
    public void Malformed_charges_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PriceCalculator.Price(new Charge(ChargeModel.Graduated, "USD", Tiers: [new(100, 1m)]), 5));
        Assert.Throws<ArgumentException>(() => PriceCalculator.Price(new Charge(ChargeModel.Volume, "USD", Tiers: [new(100, 1m), new(50, 1m), new(null, 1m)]), 5));
        Assert.Throws<ArgumentException>(() => PriceCalculator.Price(new Charge(ChargeModel.Package, "USD", Amount: 10m), 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PriceCalculator.Price(new Charge(ChargeModel.PerUnit, "USD", UnitPrice: 1m), -1));
    }
}
