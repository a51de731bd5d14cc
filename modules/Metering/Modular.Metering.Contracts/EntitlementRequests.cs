using Mediator;

namespace Modular.Metering.Contracts;

/// <summary>
/// May the tenant in scope use <paramref name="MeterKey"/> now, and how much is left this billing period?
/// Answered from a short-lived cache of the period's usage, never from the event table; it starts at
/// zero again when the period resets.
/// </summary>
public sealed record CheckEntitlement(string MeterKey) : IQuery<EntitlementDto>;

/// <param name="HasAccess">False only when a hard quota is used up (a soft one only reports).</param>
/// <param name="Limit">The plan's quota for the period; null when the plan sets none.</param>
/// <param name="Remaining">What is left of the limit (never below zero); null without a limit.</param>
/// <param name="ResetsAt">The end of the billing period, when usage counts from zero again.</param>
/// <param name="Enforcement">Hard or Soft (<see cref="QuotaEnforcements"/>); null without a limit.</param>
public sealed record EntitlementDto(
    string Meter,
    bool HasAccess,
    decimal? Limit,
    decimal Used,
    decimal? Remaining,
    DateTimeOffset ResetsAt,
    string? Enforcement);
