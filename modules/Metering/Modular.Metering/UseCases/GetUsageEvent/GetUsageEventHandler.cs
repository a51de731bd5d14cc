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

namespace Modular.Metering.UseCases.GetUsageEvent;

/// <summary>One event of the tenant in scope; another tenant's event is not found, whatever its id.</summary>
public sealed class GetUsageEventHandler(MeteringDbContext db, ITenantContext scope) : IQueryHandler<Contracts.GetUsageEvent, UsageEventDto>
{
    public async ValueTask<UsageEventDto> Handle(Contracts.GetUsageEvent query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var found = await db.UsageEvents.AsNoTracking().FirstOrDefaultAsync(e => e.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Usage event", query.Id);
        return found.ToDto();
    }
}

internal static class GetUsageEventEndpoint
{
    public static void MapGetUsageEvent(this IEndpointRouteBuilder metering) =>
        metering.MapGet("/events/{id:guid}", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetUsageEvent(id), cancellationToken)))
            .WithName("GetUsageEvent")
            .WithSummary("One of the caller's tenant's usage events")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
