using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Federation;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.ConfirmSsoDomain;

/// <summary>An operator vouches for the claim, having checked ownership some other way.</summary>
public sealed class ConfirmSsoDomainHandler(IdentityDbContext db, ITenantContext scope, SsoConnections connections, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.ConfirmSsoDomain, SsoDomainDto>
{
    public async ValueTask<SsoDomainDto> Handle(Contracts.ConfirmSsoDomain command, CancellationToken cancellationToken)
    {
        var domain = await connections.FindDomainAsync(command.ConnectionId, command.DomainId, cancellationToken);
        if (!domain.IsVerified)
        {
            await VerifySsoDomain.SsoDomainVerification.VerifyAsync(
                db, scope.CurrentTenantId(), domain, caller.Actor, caller, clock.GetUtcNow(), cancellationToken);
        }

        return SsoConnections.ToDto(domain);
    }
}

internal static class ConfirmSsoDomainEndpoint
{
    public static void MapConfirmSsoDomain(this IEndpointRouteBuilder sso) =>
        sso.MapPost("/{id:guid}/domains/{domainId:guid}/confirm", async (Guid id, Guid domainId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ConfirmSsoDomain(id, domainId), cancellationToken)))
            .WithName("ConfirmSsoDomain").WithSummary("An operator verifies a tenant's domain claim without its DNS record")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.SsoDomainsConfirm);
}
