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

namespace Modular.Identity.UseCases.CreateSsoConnection;

public sealed class CreateSsoConnectionHandler(
    IdentityDbContext db, ITenantContext scope, SsoConnections connections, SsoSecrets secrets, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.CreateSsoConnection, SsoConnectionDto>
{
    public async ValueTask<SsoConnectionDto> Handle(Contracts.CreateSsoConnection command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var groupRoles = await connections.GroupRolesAsync(tenantId, command.ClaimMapping, cancellationToken);
        await connections.EnsureReachableAsync(command.Issuer, cancellationToken);
        var now = clock.GetUtcNow();
        var connection = SsoConnection.Create(tenantId, now);
        connection.Define(command.Name, new Uri(command.Issuer).AbsoluteUri, command.ClientId, secrets.Protect(command.ClientSecret!),
            SsoConnections.ScopesOf(command), SsoConnections.ClaimsOf(command.ClaimMapping), groupRoles, command.EnforceSso, command.Enabled, now);
        connection.Tested(null, now);
        db.SsoConnections.Add(connection);
        db.Audit(tenantId, caller, "sso.connection.created", $"sso:{connection.Id}", new { connection.Name, connection.Issuer, connection.EnforceSso }, now);
        return SsoConnections.ToDto(connection, []);
    }
}

internal sealed class CreateSsoConnectionValidator : SsoConnectionRules<Contracts.CreateSsoConnection>
{
    public CreateSsoConnectionValidator(IOptions<FederationSettings> settings, [FromKeyedServices(FederationClient.AddressPolicyKey)] OutboundAddressPolicy policy)
        : base(settings, policy) => RuleFor(c => c.ClientSecret).NotEmpty();
}

internal static class CreateSsoConnectionEndpoint
{
    public static void MapCreateSsoConnection(this IEndpointRouteBuilder sso) =>
        sso.MapPost("/", async (Contracts.CreateSsoConnection body, ISender sender, CancellationToken cancellationToken) =>
            {
                var created = await sender.Send(body, cancellationToken);
                return TypedResults.Created(IdentityRoutes.SsoConnection(created.Id), created);
            })
            .WithName("CreateSsoConnection").WithSummary("Connect the caller's tenant's own OpenID provider; its discovery document is fetched first")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
