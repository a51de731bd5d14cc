using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Entitlements;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.DeleteMeter;

/// <summary>Deletes the meter and every tenant's rollups of it (the caller works across tenants); events stay.</summary>
public sealed class DeleteMeterHandler(MeteringDbContext db, EntitlementCache cache) : ICommandHandler<Contracts.DeleteMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(Contracts.DeleteMeter command, CancellationToken cancellationToken)
    {
        var meter = await db.GetMeterAsync(command.Key, cancellationToken);
        await db.Database.InTransactionAsync(async cancellationToken =>
        {
            await db.Rollups.Where(r => r.MeterId == meter.Id).ExecuteDeleteAsync(cancellationToken);
            await db.DistinctValues.Where(r => r.MeterId == meter.Id).ExecuteDeleteAsync(cancellationToken);
            db.Meters.Remove(meter);
            cache.ForgetMeterOnCommit(db, meter.Key); // its key may come back with another event type
            await db.CommitAsync(cancellationToken);
        }, cancellationToken);
        return meter.ToDto();
    }
}

internal static class DeleteMeterEndpoint
{
    public static void MapDeleteMeter(this IEndpointRouteBuilder meters) =>
        meters.MapDelete("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.DeleteMeter(key), cancellationToken)))
            .WithName("DeleteMeter").WithSummary("Delete a meter and its rollups")
            .AcrossAllTenants() // its rollups belong to every tenant
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
}
