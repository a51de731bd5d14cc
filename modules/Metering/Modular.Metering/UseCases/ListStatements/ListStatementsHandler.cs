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

namespace Modular.Metering.UseCases.ListStatements;

public sealed class ListStatementsHandler(ITenantContext scope, MeteringDbContext db) : IQueryHandler<Contracts.ListStatements, IReadOnlyList<StatementDto>>
{
    public async ValueTask<IReadOnlyList<StatementDto>> Handle(Contracts.ListStatements query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var statements = await db.Statements.AsNoTracking().ToListAsync(cancellationToken);
        return [.. statements.OrderByDescending(s => s.PeriodStart).Select(s => s.ToDto())];
    }
}

internal static class ListStatementsEndpoint
{
    public static void MapListStatements(this IEndpointRouteBuilder statements) =>
        statements.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListStatements(), cancellationToken)))
            .WithName("ListStatements").WithSummary("The caller's tenant's closed periods, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
