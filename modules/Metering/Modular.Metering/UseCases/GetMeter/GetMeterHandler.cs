using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.GetMeter;

public sealed class GetMeterHandler(MeteringDbContext db) : IQueryHandler<Contracts.GetMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(Contracts.GetMeter query, CancellationToken cancellationToken) =>
        (await db.GetMeterAsync(query.Key, cancellationToken)).ToDto();
}

internal static class GetMeterEndpoint
{
    public static void MapGetMeter(this IEndpointRouteBuilder meters) =>
        meters.MapGet("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetMeter(key), cancellationToken)))
            .WithName("GetMeter").WithSummary("Get a meter")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);
}
