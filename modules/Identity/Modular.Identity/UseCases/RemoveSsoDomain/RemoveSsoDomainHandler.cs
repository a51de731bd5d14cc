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

namespace Modular.Identity.UseCases.RemoveSsoDomain;

public sealed class RemoveSsoDomainHandler(IdentityDbContext db, ITenantContext scope, SsoConnections connections, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.RemoveSsoDomain>
{
    public async ValueTask<Unit> Handle(Contracts.RemoveSsoDomain command, CancellationToken cancellationToken)
    {
        var domain = await connections.FindDomainAsync(command.ConnectionId, command.DomainId, cancellationToken);
        db.SsoDomains.Remove(domain);
        db.Audit(scope.CurrentTenantId(), caller, "sso.domain.removed", $"sso:{domain.ConnectionId}", new { domain.Domain }, clock.GetUtcNow());
        return Unit.Value;
    }
}

internal static class RemoveSsoDomainEndpoint
{
    public static void MapRemoveSsoDomain(this IEndpointRouteBuilder sso) =>
        sso.MapDelete("/{id:guid}/domains/{domainId:guid}", async (Guid id, Guid domainId, ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.RemoveSsoDomain(id, domainId), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("RemoveSsoDomain").WithSummary("Give up a domain: its addresses stop signing in through the connection")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
