using System.Globalization;
using System.Text;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;

namespace Modular.Metering.UseCases.Statements;

/// <summary>A tenant's closed periods: close one, list them, read one, export one for an external billing system.</summary>
internal static class StatementEndpoints
{
    /// <summary>What the body of POST /statements may carry.</summary>
    internal sealed record CloseRequest(string? Period = null);

    public static void MapStatements(this IEndpointRouteBuilder statements)
    {
        statements.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListStatements(), cancellationToken)))
            .WithName("ListStatements").WithSummary("The caller's tenant's closed periods, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

        statements.MapGet("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetStatement(id), cancellationToken)))
            .WithName("GetStatement").WithSummary("One closed period")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

        statements.MapGet("/{id:guid}/export", async (Guid id, string? format, ISender sender, HttpResponse response, CancellationToken cancellationToken) =>
            {
                if (format is not (null or "csv" or "json"))
                {
                    throw new RequestValidationException(new Dictionary<string, string[]> { ["format"] = ["csv or json."] });
                }

                var statement = await sender.Send(new GetStatement(id), cancellationToken);
                var fileName = $"statement-{statement.PeriodStart.UtcDateTime:yyyyMMdd}-{statement.Id}";
                if (format == "json")
                {
                    response.Headers.ContentDisposition = $"attachment; filename={fileName}.json";
                    return Results.Json(statement);
                }

                return Results.File(Encoding.UTF8.GetBytes(StatementCsv.Write(statement)), "text/csv; charset=utf-8", $"{fileName}.csv");
            })
            .WithName("ExportStatement").WithSummary("A closed period as CSV (RFC 4180, invariant culture) or JSON, as a download")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

        statements.MapPost("/", async (CloseRequest? request, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new CloseBillingPeriod(request?.Period), cancellationToken)))
            .WithName("CloseBillingPeriod").WithSummary("Close a billing period of the caller's tenant (once; closing again returns the same statement)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(MeteringPermissions.Manage);
    }
}

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
