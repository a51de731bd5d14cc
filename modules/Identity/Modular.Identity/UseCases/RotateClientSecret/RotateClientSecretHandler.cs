using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases.RotateClientSecret;

public sealed class RotateClientSecretHandler(IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, GrantCheck grants)
    : ICommandHandler<Contracts.RotateClientSecret, ClientWithSecret>
{
    public async ValueTask<ClientWithSecret> Handle(Contracts.RotateClientSecret command, CancellationToken cancellationToken)
    {
        var (application, descriptor) = await applications.GetClientAsync(command.ClientId, cancellationToken);
        await grants.EnsureMayGrantAsync(descriptor, cancellationToken); // the new secret is the client's power, handed to the caller
        if (descriptor.ClientType != ClientTypes.Confidential)
        {
            throw new ConflictException("A public client has no secret to rotate.");
        }

        var secret = await applications.RotateSecretAsync(tokens, application, descriptor, cancellationToken);
        return new ClientWithSecret(ClientRegistration.ToDto(descriptor), secret);
    }
}

internal static class RotateClientSecretEndpoint
{
    public static void MapRotateClientSecret(this IEndpointRouteBuilder clients) =>
        clients.MapPost("/{clientId}/rotate-secret", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.RotateClientSecret(clientId), cancellationToken)))
            .WithName("RotateClientSecret").WithSummary("Replace the secret (returned once); the old one and its refresh tokens stop working")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
