using Modular.Identity.Memberships;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.Clients;

/// <summary>Finding a stored client and reading its registration, for the client use cases and the seeder.</summary>
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

    /// <summary>
    /// Gives a confidential client a new generated secret (returned once) and revokes its tokens: a rotation is usually a
    /// leak, so refresh tokens obtained with the old secret go too.
    /// </summary>
    public static async Task<string> RotateSecretAsync(
        this IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, object application, OpenIddictApplicationDescriptor descriptor,
        CancellationToken cancellationToken)
    {
        var secret = ClientRegistration.NewSecret();
        descriptor.ClientSecret = secret;
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        await tokens.RevokeByApplicationIdAsync((await applications.GetIdAsync(application, cancellationToken))!, cancellationToken);
        return secret;
    }

    /// <summary>Deletes a client with its authorizations and tokens (OpenIddict removes them); its tokens stop opening its tenant here at once.</summary>
    public static async Task DeleteClientAsync(
        this IOpenIddictApplicationManager applications, ClusterCache cache, object application, string clientId, CancellationToken cancellationToken)
    {
        await applications.DeleteAsync(application, cancellationToken);
        await MembershipDirectory.ForgetClientAsync(cache, clientId, cancellationToken);
    }

    public static async Task<OpenIddictApplicationDescriptor> DescribeAsync(
        this IOpenIddictApplicationManager applications, object application, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        return descriptor;
    }
}
