using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Kernel.Cluster;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.DeleteClient;

public sealed class DeleteClientHandler(IOpenIddictApplicationManager applications, ClusterCache cache) : ICommandHandler<Contracts.DeleteClient>
{
    public async ValueTask<Unit> Handle(Contracts.DeleteClient command, CancellationToken cancellationToken)
    {
        var (application, _) = await applications.GetClientAsync(command.ClientId, cancellationToken);
        await applications.DeleteClientAsync(cache, application, command.ClientId, cancellationToken);
        return Unit.Value;
    }
}

internal static class DeleteClientEndpoint
{
    public static void MapDeleteClient(this IEndpointRouteBuilder clients) =>
        clients.MapDelete("/{clientId}", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.DeleteClient(clientId), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteClient").WithSummary("Remove a client with its authorizations and tokens")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
