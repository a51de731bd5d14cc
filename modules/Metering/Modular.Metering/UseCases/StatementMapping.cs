using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases;

internal static class StatementMapping
{
    public static StatementDto ToDto(this Statement statement) => new(
        statement.Id, statement.Plan, statement.Currency, statement.TimeZone, statement.PeriodStart, statement.PeriodEnd,
        statement.ClosedAt, statement.Lines, statement.Total);
}
