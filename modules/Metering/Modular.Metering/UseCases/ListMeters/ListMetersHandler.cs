using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.ListMeters;

/// <summary>Meters are platform-wide: operators define them, any caller allowed to read usage may list them.</summary>
public sealed class ListMetersHandler(MeteringDbContext db) : IQueryHandler<Contracts.ListMeters, IReadOnlyList<MeterDto>>
{
    public async ValueTask<IReadOnlyList<MeterDto>> Handle(Contracts.ListMeters query, CancellationToken cancellationToken) =>
        (await db.Meters.AsNoTracking().OrderBy(m => m.Key).ToListAsync(cancellationToken)).Select(m => m.ToDto()).ToList();
}

internal static class ListMetersEndpoint
{
    public static void MapListMeters(this IEndpointRouteBuilder meters) =>
        meters.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListMeters(), cancellationToken)))
            .WithName("ListMeters").WithSummary("List meters")
            .RequirePermission(MeteringPermissions.Read);
}
