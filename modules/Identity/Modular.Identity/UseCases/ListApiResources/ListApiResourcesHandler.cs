using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.ListApiResources;

public sealed class ListApiResourcesHandler(IOpenIddictScopeManager scopes) : IQueryHandler<Contracts.ListApiResources, IReadOnlyList<ApiResourceDefinition>>
{
    public async ValueTask<IReadOnlyList<ApiResourceDefinition>> Handle(Contracts.ListApiResources query, CancellationToken cancellationToken) =>
        await scopes.ListAsync(cancellationToken);
}

internal static class ListApiResourcesEndpoint
{
    public static void MapListApiResources(this IEndpointRouteBuilder resources) =>
        resources.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListApiResources(), cancellationToken)))
            .WithName("ListApiResources").WithSummary("List the API resources and the scopes each owns");
}
