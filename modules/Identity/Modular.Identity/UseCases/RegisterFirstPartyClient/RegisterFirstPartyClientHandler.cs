using Mediator;
using Modular.Identity.Clients;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases.RegisterFirstPartyClient;

/// <summary>The platform's own first-party clients (the admin console): public, code + PKCE, no consent.</summary>
public sealed class RegisterFirstPartyClientHandler(IOpenIddictApplicationManager applications) : ICommandHandler<Contracts.RegisterFirstPartyClient>
{
    public async ValueTask<Unit> Handle(Contracts.RegisterFirstPartyClient command, CancellationToken cancellationToken)
    {
        var definition = new ClientDefinition
        {
            ClientId = command.ClientId,
            DisplayName = command.DisplayName,
            Type = ClientKinds.Public,
            RedirectUris = command.RedirectUris,
            PostLogoutRedirectUris = command.PostLogoutRedirectUris,
            GrantTypes = [GrantTypes.AuthorizationCode],
            Scopes = [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles],
            FirstParty = true,
        };
        if (await applications.FindByClientIdAsync(command.ClientId, cancellationToken) is { } existing)
        {
            var current = await applications.DescribeAsync(existing, cancellationToken);
            var known = current.RedirectUris.Select(u => u.AbsoluteUri);
            definition = definition with
            {
                // Instances may listen on different addresses: keep every one they registered.
                RedirectUris = [.. known.Union(command.RedirectUris)],
                PostLogoutRedirectUris = [.. current.PostLogoutRedirectUris.Select(u => u.AbsoluteUri).Union(command.PostLogoutRedirectUris)],
            };
            await applications.UpdateAsync(existing, ClientRegistration.Describe(definition, null, ClientRegistration.IsDisabled(current)), cancellationToken);
        }
        else
        {
            await applications.CreateAsync(ClientRegistration.Describe(definition, null, disabled: false), cancellationToken);
        }

        return Unit.Value;
    }
}
