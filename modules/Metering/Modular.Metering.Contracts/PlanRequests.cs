using Mediator;

namespace Modular.Metering.Contracts;

/// <summary>What a plan defines, shared by <see cref="CreatePlan"/> and <see cref="UpdatePlan"/> (and validated alike).</summary>
public interface IPlanDefinition
{
    string Currency { get; }

    IReadOnlyList<ChargeDto>? Charges { get; }

    IReadOnlyList<QuotaDto>? Quotas { get; }
}

/// <summary>
/// Adds a plan: the prices and quotas of every tenant whose plan key (held by the tenants module) is
/// <paramref name="Key"/>, in one ISO 4217 <paramref name="Currency"/>.
/// </summary>
public sealed record CreatePlan(
    string Key,
    string Currency,
    IReadOnlyList<ChargeDto>? Charges = null,
    IReadOnlyList<QuotaDto>? Quotas = null,
    string? Name = null) : ICommand<PlanDto>, IPlanDefinition;

/// <summary>Replaces a plan's prices and quotas; statements already closed keep the prices they were closed with.</summary>
public sealed record UpdatePlan(
    string Key,
    string Currency,
    IReadOnlyList<ChargeDto>? Charges = null,
    IReadOnlyList<QuotaDto>? Quotas = null,
    string? Name = null) : ICommand<PlanDto>, IPlanDefinition;

public sealed record DeletePlan(string Key) : ICommand<PlanDto>;

public sealed record GetPlan(string Key) : IQuery<PlanDto>;

public sealed record ListPlans : IQuery<IReadOnlyList<PlanDto>>;

public sealed record PlanDto(
    string Key,
    string? Name,
    string Currency,
    IReadOnlyList<ChargeDto> Charges,
    IReadOnlyList<QuotaDto> Quotas,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// How one meter's usage is charged. <paramref name="IncludedQuantity"/> units are free and come off first;
/// <paramref name="Model"/> (one of <see cref="ChargeModels"/>) prices the rest.
/// </summary>
/// <param name="Amount">The flat amount, or the price of one package.</param>
/// <param name="Tiers">Graduated and volume tiers, ascending, the last one open-ended (no <c>upTo</c>).</param>
public sealed record ChargeDto(
    string Meter,
    string Model,
    decimal Amount = 0,
    decimal UnitPrice = 0,
    IReadOnlyList<TierDto>? Tiers = null,
    decimal PackageSize = 0,
    decimal IncludedQuantity = 0);

/// <summary>A price tier up to and including <paramref name="UpTo"/> units (null: no upper bound).</summary>
public sealed record TierDto(decimal? UpTo, decimal UnitPrice, decimal FlatFee = 0);

/// <summary>
/// At most <paramref name="Limit"/> of the meter's usage per billing period. A hard quota refuses usage
/// beyond it (the API-call filter answers 429); a soft one only reports it.
/// </summary>
public sealed record QuotaDto(string Meter, decimal Limit, string Enforcement = QuotaEnforcements.Hard);

public static class ChargeModels
{
    public const string Flat = "Flat";
    public const string PerUnit = "PerUnit";
    public const string Graduated = "Graduated";
    public const string Volume = "Volume";
    public const string Package = "Package";

    public static readonly IReadOnlyList<string> All = [Flat, PerUnit, Graduated, Volume, Package];
}

public static class QuotaEnforcements
{
    public const string Hard = "Hard";
    public const string Soft = "Soft";

    public static readonly IReadOnlyList<string> All = [Hard, Soft];
}
