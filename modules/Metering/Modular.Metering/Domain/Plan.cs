using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;

namespace Modular.Metering.Domain;

/// <summary>
/// A plan's prices and quotas, platform-wide, found by the plan key the tenants module holds for each
/// tenant (<c>TenantInfo.Plan</c>). Charges and quotas are stored with the plan as JSON: they are always
/// read and replaced together.
/// </summary>
[PlatformWide("The operator defines plans; a tenant is on one of them.")]
internal sealed class Plan
{
    public const int KeyMaxLength = 64;
    public const int NameMaxLength = 200;
    public const int MaxCharges = 50;
    public const int MaxTiers = 20;

    public Guid Id { get; private init; }

    public string Key { get; private init; } = "";

    public string? Name { get; private set; }

    public string Currency { get; private set; } = "";

    public List<ChargeDto> Charges { get; private set; } = [];

    public List<QuotaDto> Quotas { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private init; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Plan Create(CreatePlan command, DateTimeOffset now)
    {
        var plan = new Plan { Id = Guid.CreateVersion7(now), Key = command.Key, CreatedAt = now };
        plan.Change(command.Name, command, now);
        return plan;
    }

    public void Change(string? name, IPlanDefinition definition, DateTimeOffset now)
    {
        Name = name;
        Currency = definition.Currency.ToUpperInvariant();
        Charges = [.. (definition.Charges ?? []).Select(Canonical)];
        Quotas = [.. (definition.Quotas ?? []).Select(q => q with { Enforcement = QuotaEnforcements.All.First(e => e.Equals(q.Enforcement, StringComparison.OrdinalIgnoreCase)) })];
        UpdatedAt = now;
    }

    /// <summary>The pricing engine's charge for one of this plan's charges.</summary>
    public Charge PriceOf(ChargeDto charge) => ToCharge(charge, Currency);

    internal static Charge ToCharge(ChargeDto charge, string currency) => new(
        Enum.Parse<ChargeModel>(charge.Model, ignoreCase: true), currency, charge.Amount, charge.UnitPrice,
        [.. (charge.Tiers ?? []).Select(t => new PriceTier(t.UpTo, t.UnitPrice, t.FlatFee))], charge.PackageSize, charge.IncludedQuantity);

    /// <summary>Model names as the API spells them, whatever case the caller or configuration used.</summary>
    private static ChargeDto Canonical(ChargeDto charge) =>
        charge with { Model = ChargeModels.All.First(m => m.Equals(charge.Model, StringComparison.OrdinalIgnoreCase)), Tiers = charge.Tiers ?? [] };
}
