using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.GetClient;

public sealed class GetClientHandler(IOpenIddictApplicationManager applications) : IQueryHandler<Contracts.GetClient, ClientDto>
{
    public async ValueTask<ClientDto> Handle(Contracts.GetClient query, CancellationToken cancellationToken)
    {
        var (_, descriptor) = await applications.GetClientAsync(query.ClientId, cancellationToken);
        return ClientRegistration.ToDto(descriptor);
    }
}

internal static class GetClientEndpoint
{
    public static void MapGetClient(this IEndpointRouteBuilder clients) =>
        clients.MapGet("/{clientId}", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.GetClient(clientId), cancellationToken)))
            .WithName("GetClient").WithSummary("One client's registration")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
