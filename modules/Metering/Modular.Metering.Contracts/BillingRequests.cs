using Mediator;

namespace Modular.Metering.Contracts;

/// <summary>
/// The tenant in scope's usage and amount per meter for the current billing period (the calendar month
/// in the billing time zone), priced by its plan (the plan key the tenants module holds).
/// </summary>
public sealed record GetInvoicePreview : IQuery<InvoicePreviewDto>;

public sealed record InvoicePreviewDto(
    string Plan,
    string Currency,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    IReadOnlyList<InvoiceLineDto> Lines,
    decimal Total);

/// <summary>One meter's charge: its usage so far this period and what that costs.</summary>
public sealed record InvoiceLineDto(string Meter, string Model, decimal Quantity, decimal Amount);
