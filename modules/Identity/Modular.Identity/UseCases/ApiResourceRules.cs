using FluentValidation;
using Modular.Identity.Clients;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Identity.UseCases;

/// <summary>What an API resource may be, for creating and changing one.</summary>
internal abstract class ApiResourceRules<T> : AbstractValidator<T>
    where T : ApiResourceDefinition
{
    public const int MaxScopes = 20;

    protected ApiResourceRules(IOpenIddictScopeManager scopes, IOpenIddictApplicationManager applications)
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100).Matches("^[A-Za-z0-9][A-Za-z0-9._:-]*$")
            .WithMessage("Names use letters, digits, '.', '_', ':' and '-'.")
            .NotEqual(ConnectEndpoints.ApiResource).WithMessage($"'{ConnectEndpoints.ApiResource}' is the platform's own API.");
        RuleFor(r => r.DisplayName).MaximumLength(200);
        RuleFor(r => r.Scopes).NotEmpty().WithMessage("An API resource owns at least one scope.")
            .Must(s => s.Count <= MaxScopes).WithMessage($"At most {MaxScopes} scopes.")
            .Must(s => s.Distinct(StringComparer.Ordinal).Count() == s.Count).WithMessage("Each scope once.");
        RuleForEach(r => r.Scopes).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(100).Matches("^[A-Za-z0-9][A-Za-z0-9._:-]*$")
            .WithMessage("Scopes use letters, digits, '.', '_', ':' and '-'.")
            .Must(s => !ConnectEndpoints.BuiltInScopes.Contains(s)).WithMessage("'{PropertyValue}' is one of the provider's own scopes.")
            .MustAsync(async (resource, scope, ct) => await scopes.OwnerOfAsync(scope, ct) is not { } owner || owner == resource.Name)
            .WithMessage("'{PropertyValue}' belongs to another API resource.");
        RuleFor(r => r.ResourceServer).Cascade(CascadeMode.Stop).NotEmpty()
            .MustAsync(async (clientId, ct) => await applications.FindByClientIdAsync(clientId, ct) is { } client
                && await applications.HasClientTypeAsync(client, ClientTypes.Confidential, ct))
            .WithMessage("The resource server is a registered confidential client: it introspects tokens with its secret.");
    }
}
