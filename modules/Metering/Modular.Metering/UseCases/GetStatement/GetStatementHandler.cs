using System.Text;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.GetStatement;

/// <summary>Another tenant's statement is simply not found: the tenant filter never shows it.</summary>
public sealed class GetStatementHandler(ITenantContext scope, MeteringDbContext db) : IQueryHandler<Contracts.GetStatement, StatementDto>
{
    public async ValueTask<StatementDto> Handle(Contracts.GetStatement query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var statement = await db.Statements.AsNoTracking().FirstOrDefaultAsync(s => s.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Statement", query.Id);
        return statement.ToDto();
    }
}

/// <summary>One closed period: read it, or export it for an external billing system.</summary>
internal static class GetStatementEndpoint
{
    /// <summary>An export's file name, without its extension (the console's downloads are named alike).</summary>
    public static string FileName(StatementDto statement) => $"statement-{statement.PeriodStart.UtcDateTime:yyyyMMdd}-{statement.Id}";

    public static void MapGetStatement(this IEndpointRouteBuilder statements) =>
        statements.MapGet("/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetStatement(id), cancellationToken)))
            .WithName("GetStatement").WithSummary("One closed period")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

    public static void MapExportStatement(this IEndpointRouteBuilder statements) =>
        statements.MapGet("/{id:guid}/export", async (Guid id, string? format, ISender sender, HttpResponse response, CancellationToken cancellationToken) =>
            {
                if (format is not (null or "csv" or "json"))
                {
                    throw new RequestValidationException(new Dictionary<string, string[]> { ["format"] = ["csv or json."] });
                }

                var statement = await sender.Send(new Contracts.GetStatement(id), cancellationToken);
                var fileName = FileName(statement);
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
}
