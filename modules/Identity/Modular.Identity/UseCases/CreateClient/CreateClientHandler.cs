using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Identity.Memberships;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.CreateClient;

public sealed class CreateClientHandler(IOpenIddictApplicationManager applications, GrantCheck grants, ClusterCache cache)
    : ICommandHandler<Contracts.CreateClient, ClientWithSecret>
{
    public async ValueTask<ClientWithSecret> Handle(Contracts.CreateClient command, CancellationToken cancellationToken)
    {
        await grants.EnsureMayGrantAsync(command.Permissions, command.Tenant, cancellationToken);
        if (await applications.FindByClientIdAsync(command.ClientId, cancellationToken) is not null)
        {
            throw new ConflictException($"A client with the id '{command.ClientId}' already exists.");
        }

        var secret = command.Type == ClientKinds.Confidential ? ClientRegistration.NewSecret() : null;
        var descriptor = ClientRegistration.Describe(command, secret, disabled: false);
        await applications.CreateAsync(descriptor, cancellationToken);
        await MembershipDirectory.ForgetClientAsync(cache, command.ClientId, cancellationToken); // a deleted client's id may come back
        return new ClientWithSecret(ClientRegistration.ToDto(descriptor), secret);
    }
}

internal sealed class CreateClientValidator(IOpenIddictScopeManager apiScopes) : ClientDefinitionValidator<Contracts.CreateClient>(apiScopes);

internal static class CreateClientEndpoint
{
    public static void MapCreateClient(this IEndpointRouteBuilder clients) =>
        clients.MapPost("/", async (Contracts.CreateClient body, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(body, cancellationToken);
                return TypedResults.Created(IdentityRoutes.Client(created.Client.Client.ClientId), created);
            })
            .WithName("CreateClient").WithSummary("Register a client; a confidential client's generated secret is in this response only")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
