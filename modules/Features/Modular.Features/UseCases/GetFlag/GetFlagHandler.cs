using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Features.Contracts;
using Modular.Features.Persistence;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.GetFlag;

public sealed class GetFlagHandler(FeaturesDbContext db) : IQueryHandler<Contracts.GetFlag, FlagDto>
{
    public async ValueTask<FlagDto> Handle(Contracts.GetFlag query, CancellationToken cancellationToken) =>
        (await db.GetFlagAsync(query.Key, cancellationToken)).ToDto();
}

internal static class GetFlagEndpoint
{
    public static void MapGetFlag(this IEndpointRouteBuilder flags) =>
        flags.MapGet("/{key}", async (string key, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetFlag(key), cancellationToken)))
            .WithName("GetFlag")
            .WithSummary("Read a feature flag with its filters, variants and tenant overrides")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(FeaturesPermissions.Read);
}
