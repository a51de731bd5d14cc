using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;

namespace Modular.Metering.UseCases.Meters;

/// <summary>Meters are platform-wide: operators define them, any caller allowed to read usage may list them.</summary>
internal static class MeterEndpoints
{
    /// <summary>What the body of PUT /meters/{key} may change.</summary>
    internal sealed record MeterChanges(string Name, string? Description = null);

    public static void MapMeters(this IEndpointRouteBuilder meters)
    {
        meters.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListMeters(), cancellationToken)))
            .WithName("ListMeters").WithSummary("List meters")
            .RequirePermission(MeteringPermissions.Read);

        meters.MapGet("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetMeter(key), cancellationToken)))
            .WithName("GetMeter").WithSummary("Get a meter")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

        meters.MapPost("/", async (CreateMeter command, ISender sender, CancellationToken cancellationToken) =>
            {
                var meter = await sender.Send(command, cancellationToken);
                return TypedResults.Created($"/api/v1/metering/meters/{meter.Key}", meter);
            })
            .WithName("CreateMeter").WithSummary("Define a meter")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(MeteringPermissions.Manage);

        meters.MapPut("/{key}", async (string key, MeterChanges changes, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new UpdateMeter(key, changes.Name, changes.Description), cancellationToken)))
            .WithName("UpdateMeter").WithSummary("Rename a meter")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);

        meters.MapDelete("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new DeleteMeter(key), cancellationToken)))
            .WithName("DeleteMeter").WithSummary("Delete a meter and its rollups")
            .AcrossAllTenants() // its rollups belong to every tenant
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
    }
}
