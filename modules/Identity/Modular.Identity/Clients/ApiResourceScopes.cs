using System.Text.Json;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using OpenIddict.Abstractions;

namespace Modular.Identity.Clients;

/// <summary>
/// API resources live in OpenIddict's own scope store, the one its server already checks requested scopes against: a
/// resource is the set of scopes that name it. Each of its scopes lists the resource's name and its resource server's
/// client id as the audiences a token for that scope gets, so OpenIddict lets that client introspect it.
/// </summary>
internal static class ApiResourceScopes
{
    private const string ResourceProperty = "api_resource";
    private const string ResourceServerProperty = "resource_server";

    public static async Task<IReadOnlyList<ApiResourceDefinition>> ListAsync(this IOpenIddictScopeManager scopes, CancellationToken cancellationToken)
    {
        var owned = new List<(string Resource, OpenIddictScopeDescriptor Scope)>();
        await foreach (var scope in scopes.ListAsync(count: null, offset: null, cancellationToken))
        {
            var descriptor = new OpenIddictScopeDescriptor();
            await scopes.PopulateAsync(descriptor, scope, cancellationToken);
            if (descriptor.Properties.TryGetValue(ResourceProperty, out var resource) && resource.GetString() is { } name)
            {
                owned.Add((name, descriptor));
            }
        }

        return [.. owned.GroupBy(s => s.Resource, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ApiResourceDefinition
        {
            Name = g.Key,
            DisplayName = g.First().Scope.DisplayName,
            Scopes = [.. g.Select(s => s.Scope.Name!).Order(StringComparer.Ordinal)],
            ResourceServer = g.First().Scope.Properties[ResourceServerProperty].GetString() ?? "",
        })];
    }

    /// <summary>The stored resource, or null.</summary>
    public static async Task<ApiResourceDefinition?> FindAsync(this IOpenIddictScopeManager scopes, string name, CancellationToken cancellationToken) =>
        (await scopes.ListAsync(cancellationToken)).FirstOrDefault(r => r.Name == name);

    /// <summary>The resource as it reads back once saved (scopes in order), without reading the store again.</summary>
    public static ApiResourceDefinition AsStored(ApiResourceDefinition resource) => new()
    {
        Name = resource.Name,
        DisplayName = resource.DisplayName,
        Scopes = [.. resource.Scopes.Order(StringComparer.Ordinal)],
        ResourceServer = resource.ResourceServer,
    };

    /// <summary>Stores the resource's scopes as given: new ones are created, changed ones rewritten, dropped ones deleted.</summary>
    public static async Task SaveAsync(
        this IOpenIddictScopeManager scopes, ApiResourceDefinition resource, IReadOnlyCollection<string> previousScopes, CancellationToken cancellationToken)
    {
        foreach (var name in resource.Scopes)
        {
            var descriptor = new OpenIddictScopeDescriptor { Name = name, DisplayName = resource.DisplayName };
            descriptor.Resources.UnionWith([resource.Name, resource.ResourceServer]);
            descriptor.Properties[ResourceProperty] = JsonSerializer.SerializeToElement(resource.Name);
            descriptor.Properties[ResourceServerProperty] = JsonSerializer.SerializeToElement(resource.ResourceServer);
            if (await scopes.FindByNameAsync(name, cancellationToken) is { } stored)
            {
                await scopes.UpdateAsync(stored, descriptor, cancellationToken);
            }
            else
            {
                await scopes.CreateAsync(descriptor, cancellationToken);
            }
        }

        await scopes.DeleteScopesAsync(previousScopes.Except(resource.Scopes), cancellationToken);
    }

    public static async Task DeleteScopesAsync(this IOpenIddictScopeManager scopes, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            if (await scopes.FindByNameAsync(name, cancellationToken) is { } stored)
            {
                await scopes.DeleteAsync(stored, cancellationToken);
            }
        }
    }

    /// <summary>The API resource a stored scope belongs to; null for a scope nobody owns.</summary>
    public static async Task<string?> OwnerOfAsync(this IOpenIddictScopeManager scopes, string name, CancellationToken cancellationToken)
    {
        if (await scopes.FindByNameAsync(name, cancellationToken) is not { } stored)
        {
            return null;
        }

        var properties = await scopes.GetPropertiesAsync(stored, cancellationToken);
        return properties.TryGetValue(ResourceProperty, out var resource) ? resource.GetString() : null;
    }

    /// <summary>Takes scopes that no longer exist out of every client's permissions, so a scope made again later is not already granted.</summary>
    public static async Task WithdrawFromClientsAsync(this IOpenIddictApplicationManager applications, IReadOnlyCollection<string> scopes, CancellationToken cancellationToken)
    {
        if (scopes.Count == 0)
        {
            return;
        }

        var withdrawn = scopes.Select(s => OpenIddictConstants.Permissions.Prefixes.Scope + s).ToHashSet(StringComparer.Ordinal);
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            var descriptor = await applications.DescribeAsync(application, cancellationToken);
            if (descriptor.Permissions.RemoveWhere(withdrawn.Contains) > 0)
            {
                await applications.UpdateAsync(application, descriptor, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The audiences of a token for these scopes: the platform's API always, and the resources whose scopes were granted.
    /// Only a request for a resource's scope costs a lookup.
    /// </summary>
    public static async Task<IReadOnlyList<string>> AudiencesOfAsync(this IOpenIddictScopeManager scopes, IEnumerable<string> granted, CancellationToken cancellationToken)
    {
        var custom = granted.Where(s => !ConnectEndpoints.BuiltInScopes.Contains(s)).ToList();
        if (custom.Count == 0)
        {
            return [ConnectEndpoints.ApiResource];
        }

        var audiences = new List<string> { ConnectEndpoints.ApiResource };
        await foreach (var resource in scopes.ListResourcesAsync([.. custom], cancellationToken))
        {
            audiences.Add(resource);
        }

        return [.. audiences.Distinct(StringComparer.Ordinal)];
    }
}
