using Mediator;

namespace Modular.Metering.Contracts;

/// <summary>
/// Closes one billing period of the tenant in scope: prices its usage by the tenant's plan and freezes
/// the result as a statement. Done once: closing a period again returns the statement it already has.
/// </summary>
/// <param name="Period">The calendar month <c>yyyy-MM</c> in the tenant's billing time zone; when absent,
/// the month before the current one (the period that ended last).</param>
public sealed record CloseBillingPeriod(string? Period = null) : ICommand<StatementDto>;

/// <summary>The tenant in scope's statements, newest period first.</summary>
public sealed record ListStatements : IQuery<IReadOnlyList<StatementDto>>;

/// <summary>One of the tenant in scope's statements.</summary>
public sealed record GetStatement(Guid Id) : IQuery<StatementDto>;

/// <summary>A closed period, as it was priced when it closed; later events and plan changes do not alter it.</summary>
public sealed record StatementDto(
    Guid Id,
    string Plan,
    string Currency,
    string TimeZone,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset ClosedAt,
    IReadOnlyList<StatementLineDto> Lines,
    decimal Total);

/// <summary>One charge of a statement: the meter's usage over the period and its amount.</summary>
public sealed record StatementLineDto(string Meter, string Model, decimal Quantity, decimal Amount, string Currency);

/// <summary>The tenant in scope's billing settings: where its billing months start and end.</summary>
public sealed record GetBillingProfile : IQuery<BillingProfileDto>;

/// <summary>Sets the tenant in scope's billing time zone (an IANA id); periods already closed keep theirs.</summary>
public sealed record SetBillingProfile(string TimeZone) : ICommand<BillingProfileDto>;

/// <param name="IsDefault">True when the tenant has not chosen one and the platform's default applies.</param>
public sealed record BillingProfileDto(string TimeZone, bool IsDefault);
