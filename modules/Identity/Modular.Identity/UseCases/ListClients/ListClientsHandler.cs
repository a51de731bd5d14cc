using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.ListClients;

public sealed class ListClientsHandler(IOpenIddictApplicationManager applications) : IQueryHandler<Contracts.ListClients, IReadOnlyList<ClientDto>>
{
    public async ValueTask<IReadOnlyList<ClientDto>> Handle(Contracts.ListClients query, CancellationToken cancellationToken)
    {
        var clients = new List<ClientDto>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            clients.Add(ClientRegistration.ToDto(await applications.DescribeAsync(application, cancellationToken)));
        }

        return [.. clients.OrderBy(c => c.Client.ClientId, StringComparer.Ordinal)];
    }
}

internal static class ListClientsEndpoint
{
    public static void MapListClients(this IEndpointRouteBuilder clients) =>
        clients.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListClients(), cancellationToken)))
            .WithName("ListClients").WithSummary("List the registered clients");
}
