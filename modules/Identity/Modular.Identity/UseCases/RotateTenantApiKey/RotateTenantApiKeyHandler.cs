using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Clients;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.RotateTenantApiKey;

public sealed class RotateTenantApiKeyHandler(
    IdentityDbContext db, IOpenIddictApplicationManager applications, IOpenIddictTokenManager tokens, ITenantContext scope, GrantCheck check, RoleGrants grants,
    ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.RotateTenantApiKey, TenantApiKeyWithSecret>
{
    public async ValueTask<TenantApiKeyWithSecret> Handle(Contracts.RotateTenantApiKey command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var (key, application, client) = await db.GetApiKeyAsync(applications, tenantId, command.ClientId, cancellationToken);
        await check.EnsureMayHandOutAsync(grants, tenantId, client, cancellationToken); // the new secret is the key's power, handed to the caller

        db.Audit(tenantId, caller, "api-key.rotated", $"api-key:{key.ClientId}", null, clock.GetUtcNow());
        var secret = await applications.RotateSecretAsync(tokens, application, client, cancellationToken);
        return new TenantApiKeyWithSecret(key.ToDto(client), secret);
    }
}

internal static class RotateTenantApiKeyEndpoint
{
    public static void MapRotateTenantApiKey(this IEndpointRouteBuilder apiKeys) =>
        apiKeys.MapPost("/{clientId}/rotate", async (string clientId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.RotateTenantApiKey(clientId), cancellationToken)))
            .WithName("RotateTenantApiKey").WithSummary("Replace the key's secret (returned once); the old one and the key's tokens stop working")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
