using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.RevokeTenantApiKey;

/// <summary>
/// Revoking takes nothing the caller could gain, so it needs no more than <c>api-keys.manage</c>: a leaked key must be
/// stoppable by any of the tenant's key managers.
/// </summary>
public sealed class RevokeTenantApiKeyHandler(
    IdentityDbContext db, IOpenIddictApplicationManager applications, ITenantContext scope, ICaller caller, ClusterCache cache, TimeProvider clock)
    : ICommandHandler<Contracts.RevokeTenantApiKey>
{
    public async ValueTask<Unit> Handle(Contracts.RevokeTenantApiKey command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var (key, application, _) = await db.GetApiKeyAsync(applications, tenantId, command.ClientId, cancellationToken);
        db.TenantApiKeys.Remove(key);
        db.Audit(tenantId, caller, "api-key.revoked", $"api-key:{key.ClientId}", new { name = key.Name }, clock.GetUtcNow());
        await applications.DeleteClientAsync(cache, application, key.ClientId, cancellationToken);
        return Unit.Value;
    }
}

internal static class RevokeTenantApiKeyEndpoint
{
    public static void MapRevokeTenantApiKey(this IEndpointRouteBuilder apiKeys) =>
        apiKeys.MapDelete("/{clientId}", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.RevokeTenantApiKey(clientId), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("RevokeTenantApiKey").WithSummary("Delete the key with its tokens: its secret and every token issued with it stop working")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
