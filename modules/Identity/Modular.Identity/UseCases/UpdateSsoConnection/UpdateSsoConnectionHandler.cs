using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.UpdateSsoConnection;

public sealed class UpdateSsoConnectionHandler(
    IdentityDbContext db, ITenantContext scope, SsoConnections connections, SsoSecrets secrets, SsoDirectory directory, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.UpdateSsoConnection, SsoConnectionDto>
{
    public async ValueTask<SsoConnectionDto> Handle(Contracts.UpdateSsoConnection command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var connection = await connections.FindAsync(command.Id, cancellationToken);
        var groupRoles = await connections.GroupRolesAsync(tenantId, command.ClaimMapping, cancellationToken);
        var issuer = new Uri(command.Issuer).AbsoluteUri;
        if (issuer != connection.Issuer)
        {
            await connections.EnsureReachableAsync(issuer, cancellationToken);
        }

        var now = clock.GetUtcNow();
        connection.Define(command.Name, issuer, command.ClientId, command.ClientSecret is { Length: > 0 } secret ? secrets.Protect(secret) : null,
            SsoConnections.ScopesOf(command), SsoConnections.ClaimsOf(command.ClaimMapping), groupRoles, command.EnforceSso, command.Enabled, now);
        db.Audit(tenantId, caller, "sso.connection.updated", $"sso:{connection.Id}",
            new { connection.Name, connection.Issuer, connection.EnforceSso, connection.Enabled, secretChanged = command.ClientSecret is { Length: > 0 } }, now);
        await db.CommitAsync(cancellationToken);
        await directory.ForgetAsync(connection, cancellationToken);
        return await connections.DtoAsync(connection, cancellationToken);
    }
}

internal sealed class UpdateSsoConnectionValidator(IOptions<FederationSettings> settings, [FromKeyedServices(FederationClient.AddressPolicyKey)] OutboundAddressPolicy policy)
    : SsoConnectionRules<Contracts.UpdateSsoConnection>(settings, policy);

internal static class UpdateSsoConnectionEndpoint
{
    public static void MapUpdateSsoConnection(this IEndpointRouteBuilder sso) =>
        sso.MapPut("/{id:guid}", async (Guid id, Contracts.UpdateSsoConnection body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body with { Id = id }, cancellationToken)))
            .WithName("UpdateSsoConnection").WithSummary("Replace a connection's settings; a null client secret keeps the stored one")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
