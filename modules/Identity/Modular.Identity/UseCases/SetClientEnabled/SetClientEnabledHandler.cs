using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using Modular.Identity.Memberships;
using Modular.Kernel.Cluster;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.SetClientEnabled;

public sealed class SetClientEnabledHandler(
    IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations, GrantCheck grants, ClusterCache cache)
    : ICommandHandler<Contracts.SetClientEnabled, ClientDto>
{
    public async ValueTask<ClientDto> Handle(Contracts.SetClientEnabled command, CancellationToken cancellationToken)
    {
        var (application, descriptor) = await applications.GetClientAsync(command.ClientId, cancellationToken);
        if (command.Enabled)
        {
            await grants.EnsureMayGrantAsync(descriptor, cancellationToken); // turning a client back on grants what it holds
            ClientRegistration.Enable(descriptor);
            await applications.UpdateAsync(application, descriptor, cancellationToken);
            await MembershipDirectory.ForgetClientAsync(cache, command.ClientId, cancellationToken);
            return ClientRegistration.ToDto(descriptor);
        }

        ClientRegistration.Disable(descriptor);
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        await MembershipDirectory.ForgetClientAsync(cache, command.ClientId, cancellationToken); // its tokens no longer open its tenant
        var id = (await applications.GetIdAsync(application, cancellationToken))!;
        await authorizations.RevokeByApplicationIdAsync(id, cancellationToken);
        await tokens.RevokeByApplicationIdAsync(id, cancellationToken);
        return ClientRegistration.ToDto(descriptor);
    }
}

/// <summary>One use case, two routes: <c>disable</c> and <c>enable</c>.</summary>
internal static class SetClientEnabledEndpoint
{
    public static void MapDisableClient(this IEndpointRouteBuilder clients) =>
        clients.MapPost("/{clientId}/disable", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.SetClientEnabled(clientId, false), cancellationToken)))
            .WithName("DisableClient").WithSummary("Refuse the client every token and revoke the ones it holds")
            .ProducesProblem(StatusCodes.Status404NotFound);

    public static void MapEnableClient(this IEndpointRouteBuilder clients) =>
        clients.MapPost("/{clientId}/enable", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.SetClientEnabled(clientId, true), cancellationToken)))
            .WithName("EnableClient").WithSummary("Let a disabled client obtain tokens again")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
