using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>
/// A SaaS app's own API as the OpenID provider knows it: the scopes it owns, and the confidential client its server
/// signs in as. A token requested with any of those scopes carries the resource's name and that client as audiences,
/// so the resource server's client can introspect it; a token for another resource stays opaque to it.
/// </summary>
public record ApiResourceDefinition
{
    /// <summary>The audience tokens for this API carry (<c>aud</c>), e.g. <c>billing-api</c> or <c>api.acme.example</c>: no <c>/</c>, it sits in a path.</summary>
    public string Name { get; init; } = "";

    public string? DisplayName { get; init; }

    /// <summary>The scopes this API owns; a scope belongs to one resource.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>The client id of the confidential client the API's server introspects tokens as.</summary>
    public string ResourceServer { get; init; } = "";
}

public sealed record ListApiResources : IQuery<IReadOnlyList<ApiResourceDefinition>>;

public sealed record GetApiResource(string Name) : IQuery<ApiResourceDefinition>;

public sealed record CreateApiResource : ApiResourceDefinition, ICommand<ApiResourceDefinition>;

/// <summary>Replaces a resource's display name, scopes and resource server. Tokens already issued keep their audiences.</summary>
public sealed record UpdateApiResource : ApiResourceDefinition, ICommand<ApiResourceDefinition>;

/// <summary>Removes the resource and its scopes; clients lose the permission to request them.</summary>
public sealed record DeleteApiResource(string Name) : ICommand;
