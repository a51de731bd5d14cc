using System.Globalization;
using System.Text;
using Modular.Metering.Contracts;

namespace Modular.Metering.UseCases.GetStatement;

/// <summary>
/// A statement as CSV for billing systems: one row per line with the period repeated, RFC 4180 (CRLF,
/// fields with a comma, quote or line break quoted, quotes doubled), invariant culture (decimal point,
/// no thousands separator), timestamps in ISO 8601 UTC.
/// </summary>
internal static class StatementCsv
{
    private static readonly string[] Header = ["statement_id", "plan", "period_start", "period_end", "time_zone", "meter", "model", "quantity", "amount", "currency"];

    public static string Write(StatementDto statement)
    {
        var csv = new StringBuilder();
        AppendRow(csv, Header);
        foreach (var line in statement.Lines)
        {
            AppendRow(csv,
            [
                statement.Id.ToString(), statement.Plan,
                statement.PeriodStart.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                statement.PeriodEnd.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                statement.TimeZone, line.Meter, line.Model,
                line.Quantity.ToString(CultureInfo.InvariantCulture), line.Amount.ToString(CultureInfo.InvariantCulture), line.Currency,
            ]);
        }

        return csv.ToString();
    }

    private static void AppendRow(StringBuilder csv, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var field = fields[i];
            csv.Append(field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field);
        }

        csv.Append("\r\n");
    }
}
