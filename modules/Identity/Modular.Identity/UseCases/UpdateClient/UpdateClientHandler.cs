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

namespace Modular.Identity.UseCases.UpdateClient;

public sealed class UpdateClientHandler(IOpenIddictApplicationManager applications, GrantCheck grants, ClusterCache cache)
    : ICommandHandler<Contracts.UpdateClient, ClientDto>
{
    public async ValueTask<ClientDto> Handle(Contracts.UpdateClient command, CancellationToken cancellationToken)
    {
        var (application, current) = await applications.GetClientAsync(command.ClientId, cancellationToken);
        await grants.EnsureMayGrantAsync(command.Permissions, command.Tenant, cancellationToken);
        await grants.EnsureMayGrantAsync(current, cancellationToken); // whoever rewrites a client takes it over
        if (ClientRegistration.ToDto(current).Client.Type != command.Type)
        {
            throw new ConflictException("A client's type cannot change: register a new client instead.");
        }

        // The stored secret (already hashed) goes back unchanged: OpenIddict re-hashes only a changed one.
        var descriptor = ClientRegistration.Describe(command, current.ClientSecret, ClientRegistration.IsDisabled(current));
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        await MembershipDirectory.ForgetClientAsync(cache, command.ClientId, cancellationToken); // its tenant may have changed
        return ClientRegistration.ToDto(descriptor);
    }
}

internal sealed class UpdateClientValidator(IOpenIddictScopeManager apiScopes) : ClientDefinitionValidator<Contracts.UpdateClient>(apiScopes);

internal static class UpdateClientEndpoint
{
    public static void MapUpdateClient(this IEndpointRouteBuilder clients) =>
        clients.MapPut("/{clientId}", async (string clientId, Contracts.UpdateClient body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body with { ClientId = clientId }, cancellationToken)))
            .WithName("UpdateClient").WithSummary("Change a client's redirect URIs, grants, scopes, tenant or permissions")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
