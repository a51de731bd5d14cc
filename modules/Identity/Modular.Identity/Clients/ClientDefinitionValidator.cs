using FluentValidation;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.Clients;

/// <summary>What a client may be: checked for the API and the console alike (configuration is trusted).</summary>
internal abstract class ClientDefinitionValidator<T> : AbstractValidator<T>
    where T : ClientDefinition
{
    public const int MaxUris = 20;

    protected ClientDefinitionValidator(IOpenIddictScopeManager apiScopes)
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
        RuleForEach(c => c.Scopes)
            .MustAsync(async (s, ct) => ConnectEndpoints.BuiltInScopes.Contains(s) || (s is not null && await apiScopes.FindByNameAsync(s, ct) is not null))
            .WithMessage($"Scopes are {string.Join(", ", ConnectEndpoints.BuiltInScopes)}, or an API resource's.");
        RuleFor(c => c.Scopes).Must((c, scopes) => !scopes.Any(ConnectEndpoints.SignInScopes.Contains) || c.GrantTypes.Any(ConnectEndpoints.SignInGrantTypes.Contains))
            .WithMessage($"{string.Join(", ", ConnectEndpoints.SignInScopes)} are about a signed-in user: they need the {string.Join(" or ", ConnectEndpoints.SignInGrantTypes)} grant.");
        RuleFor(c => c.Scopes).Must((c, scopes) => !scopes.Contains(Scopes.OfflineAccess) || c.GrantTypes.Contains(GrantTypes.RefreshToken))
            .WithMessage("offline_access asks for refresh tokens: it needs the refresh_token grant.");
        RuleFor(c => c.Tenant).MaximumLength(100);
        RuleForEach(c => c.Permissions).NotEmpty().MaximumLength(100);
    }

    private static bool BeSafeRedirect(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
        && string.IsNullOrEmpty(parsed.Fragment)
        && (parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback));
}
