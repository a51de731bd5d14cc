using FluentValidation;
using Mediator;
using Microsoft.Extensions.Caching.Hybrid;
using Modular.Identity.Contracts;
using Modular.Identity.UseCases.Memberships;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases.Clients;

public sealed class ListClientsHandler(IOpenIddictApplicationManager applications) : IQueryHandler<ListClients, IReadOnlyList<ClientDto>>
{
    public async ValueTask<IReadOnlyList<ClientDto>> Handle(ListClients query, CancellationToken cancellationToken)
    {
        var clients = new List<ClientDto>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            clients.Add(ClientRegistration.ToDto(await applications.DescribeAsync(application, cancellationToken)));
        }

        return [.. clients.OrderBy(c => c.Client.ClientId, StringComparer.Ordinal)];
    }
}

public sealed class GetClientHandler(IOpenIddictApplicationManager applications) : IQueryHandler<GetClient, ClientDto>
{
    public async ValueTask<ClientDto> Handle(GetClient query, CancellationToken cancellationToken)
    {
        var (_, descriptor) = await applications.GetClientAsync(query.ClientId, cancellationToken);
        return ClientRegistration.ToDto(descriptor);
    }
}

public sealed class CreateClientHandler(IOpenIddictApplicationManager applications, GrantCheck grants, HybridCache cache) : ICommandHandler<CreateClient, ClientWithSecret>
{
    public async ValueTask<ClientWithSecret> Handle(CreateClient command, CancellationToken cancellationToken)
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

public sealed class UpdateClientHandler(IOpenIddictApplicationManager applications, GrantCheck grants, HybridCache cache) : ICommandHandler<UpdateClient, ClientDto>
{
    public async ValueTask<ClientDto> Handle(UpdateClient command, CancellationToken cancellationToken)
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

public sealed class RotateClientSecretHandler(IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, GrantCheck grants)
    : ICommandHandler<RotateClientSecret, ClientWithSecret>
{
    public async ValueTask<ClientWithSecret> Handle(RotateClientSecret command, CancellationToken cancellationToken)
    {
        var (application, descriptor) = await applications.GetClientAsync(command.ClientId, cancellationToken);
        await grants.EnsureMayGrantAsync(descriptor, cancellationToken); // the new secret is the client's power, handed to the caller
        if (descriptor.ClientType != ClientTypes.Confidential)
        {
            throw new ConflictException("A public client has no secret to rotate.");
        }

        var secret = ClientRegistration.NewSecret();
        descriptor.ClientSecret = secret;
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        // A rotation is usually a leak: refresh tokens obtained with the old secret go too.
        await tokens.RevokeByApplicationIdAsync((await applications.GetIdAsync(application, cancellationToken))!, cancellationToken);
        return new ClientWithSecret(ClientRegistration.ToDto(descriptor), secret);
    }
}

public sealed class SetClientEnabledHandler(
    IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations, GrantCheck grants, HybridCache cache)
    : ICommandHandler<SetClientEnabled, ClientDto>
{
    public async ValueTask<ClientDto> Handle(SetClientEnabled command, CancellationToken cancellationToken)
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

public sealed class DeleteClientHandler(IOpenIddictApplicationManager applications, HybridCache cache) : ICommandHandler<DeleteClient>
{
    public async ValueTask<Unit> Handle(DeleteClient command, CancellationToken cancellationToken)
    {
        var (application, _) = await applications.GetClientAsync(command.ClientId, cancellationToken);
        await applications.DeleteAsync(application, cancellationToken); // OpenIddict deletes its authorizations and tokens too
        await MembershipDirectory.ForgetClientAsync(cache, command.ClientId, cancellationToken);
        return Unit.Value;
    }
}

/// <summary>The platform's own first-party clients (the admin console): public, code + PKCE, no consent.</summary>
public sealed class RegisterFirstPartyClientHandler(IOpenIddictApplicationManager applications) : ICommandHandler<RegisterFirstPartyClient>
{
    public async ValueTask<Unit> Handle(RegisterFirstPartyClient command, CancellationToken cancellationToken)
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

internal static class ApplicationLookup
{
    /// <summary>Throws unless the caller may grant what the stored client holds: its permissions, in its tenant.</summary>
    public static Task EnsureMayGrantAsync(this GrantCheck grants, OpenIddictApplicationDescriptor client, CancellationToken cancellationToken)
    {
        var held = ClientRegistration.ToDto(client).Client;
        return grants.EnsureMayGrantAsync(held.Permissions, held.Tenant, cancellationToken);
    }

    /// <summary>The client and its current registration, or 404.</summary>
    public static async Task<(object Application, OpenIddictApplicationDescriptor Descriptor)> GetClientAsync(
        this IOpenIddictApplicationManager applications, string clientId, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken) ?? throw new NotFoundException("Client", clientId);
        return (application, await applications.DescribeAsync(application, cancellationToken));
    }

    public static async Task<OpenIddictApplicationDescriptor> DescribeAsync(
        this IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        return descriptor;
    }
}

/// <summary>What a client may be: checked for the API and the console alike (configuration is trusted).</summary>
internal abstract class ClientDefinitionValidator<T> : AbstractValidator<T>
    where T : ClientDefinition
{
    public const int MaxUris = 20;

    private static readonly string[] KnownScopes =
        [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess, Connect.ConnectEndpoints.ApiScope];

    protected ClientDefinitionValidator()
    {
        RuleFor(c => c.ClientId).NotEmpty().MaximumLength(100).Matches("^[A-Za-z0-9][A-Za-z0-9._-]*$")
            .WithMessage("Client ids use letters, digits, '.', '_' and '-'.");
        RuleFor(c => c.DisplayName).MaximumLength(200);
        RuleFor(c => c.Type).Must(t => t is ClientKinds.Confidential or ClientKinds.Public)
            .WithMessage($"Type is '{ClientKinds.Confidential}' or '{ClientKinds.Public}'.");
        RuleFor(c => c.GrantTypes).NotEmpty();
        RuleForEach(c => c.GrantTypes).Must(g => ClientRegistration.KnownGrantTypes.Contains(g))
            .WithMessage($"Grant types are {string.Join(", ", ClientRegistration.KnownGrantTypes)}.");
        RuleFor(c => c.GrantTypes).Must(g => !g.Contains(GrantTypes.ClientCredentials)).When(c => c.Type == ClientKinds.Public)
            .WithMessage("A public client cannot use client credentials: it cannot keep a secret.");
        RuleFor(c => c.RedirectUris).NotEmpty().When(c => c.GrantTypes.Contains(GrantTypes.AuthorizationCode))
            .WithMessage("The authorization code flow needs at least one redirect URI.");
        RuleFor(c => c.RedirectUris.Count).LessThanOrEqualTo(MaxUris).OverridePropertyName(nameof(ClientDefinition.RedirectUris));
        RuleFor(c => c.PostLogoutRedirectUris.Count).LessThanOrEqualTo(MaxUris).OverridePropertyName(nameof(ClientDefinition.PostLogoutRedirectUris));
        RuleForEach(c => c.RedirectUris).Must(BeSafeRedirect).WithMessage("Redirect URIs are absolute https URLs (http only on localhost), without a fragment.");
        RuleForEach(c => c.PostLogoutRedirectUris).Must(BeSafeRedirect).WithMessage("Redirect URIs are absolute https URLs (http only on localhost), without a fragment.");
        RuleForEach(c => c.Scopes).Must(s => KnownScopes.Contains(s)).WithMessage($"Scopes are {string.Join(", ", KnownScopes)}.");
        RuleFor(c => c.Tenant).MaximumLength(100);
        RuleForEach(c => c.Permissions).NotEmpty().MaximumLength(100);
    }

    private static bool BeSafeRedirect(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
        && string.IsNullOrEmpty(parsed.Fragment)
        && (parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback));
}

internal sealed class CreateClientValidator : ClientDefinitionValidator<CreateClient>;

internal sealed class UpdateClientValidator : ClientDefinitionValidator<UpdateClient>;
