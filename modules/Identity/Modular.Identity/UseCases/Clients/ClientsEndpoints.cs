using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases.Clients;

/// <summary><c>/api/v1/identity/clients</c>: OAuth clients as data, for platform operators.</summary>
internal static class ClientsEndpoints
{
    public static void MapClients(this IEndpointRouteBuilder identity)
    {
        var clients = identity.MapGroup("/clients").WithTags("Identity: clients").RequirePermission(IdentityPermissions.ClientsManage);

        clients.MapGet("/", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new ListClients(), cancellationToken)))
            .WithName("ListClients").WithSummary("List the registered clients");

        clients.MapGet("/{clientId}", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new GetClient(clientId), cancellationToken)))
            .WithName("GetClient").WithSummary("One client's registration")
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapPost("/", async (CreateClient body, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(body, cancellationToken);
                return TypedResults.Created($"/api/v1/identity/clients/{created.Client.Client.ClientId}", created);
            })
            .WithName("CreateClient").WithSummary("Register a client; a confidential client's generated secret is in this response only")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        clients.MapPut("/{clientId}", async (string clientId, UpdateClient body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body with { ClientId = clientId }, cancellationToken)))
            .WithName("UpdateClient").WithSummary("Change a client's redirect URIs, grants, scopes, tenant or permissions")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        clients.MapPost("/{clientId}/rotate-secret", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new RotateClientSecret(clientId), cancellationToken)))
            .WithName("RotateClientSecret").WithSummary("Replace the secret (returned once); the old one and its refresh tokens stop working")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        clients.MapPost("/{clientId}/disable", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new SetClientEnabled(clientId, false), cancellationToken)))
            .WithName("DisableClient").WithSummary("Refuse the client every token and revoke the ones it holds")
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapPost("/{clientId}/enable", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new SetClientEnabled(clientId, true), cancellationToken)))
            .WithName("EnableClient").WithSummary("Let a disabled client obtain tokens again")
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapDelete("/{clientId}", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new DeleteClient(clientId), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteClient").WithSummary("Remove a client with its authorizations and tokens")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
