using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.GetApiResource;

public sealed class GetApiResourceHandler(IOpenIddictScopeManager scopes) : IQueryHandler<Contracts.GetApiResource, ApiResourceDefinition>
{
    public async ValueTask<ApiResourceDefinition> Handle(Contracts.GetApiResource query, CancellationToken cancellationToken) =>
        await scopes.FindAsync(query.Name, cancellationToken) ?? throw new NotFoundException("API resource", query.Name);
}

internal static class GetApiResourceEndpoint
{
    public static void MapGetApiResource(this IEndpointRouteBuilder resources) =>
        resources.MapGet("/{name}", async (string name, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetApiResource(name), cancellationToken)))
            .WithName("GetApiResource").WithSummary("One API resource")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
