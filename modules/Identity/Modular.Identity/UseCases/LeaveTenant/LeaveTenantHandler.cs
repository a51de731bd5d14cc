using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.LeaveTenant;

public sealed class LeaveTenantHandler(
    IdentityDbContext db, ITenantContext scope, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.LeaveTenant>
{
    public async ValueTask<Unit> Handle(Contracts.LeaveTenant command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var userId = caller.UserId() ?? throw new NotFoundException("Member", caller.Actor);
        var membership = await db.GetMemberAsync(tenantId, userId, cancellationToken);
        await db.EnsureAnotherOwnerAsync(membership, cancellationToken);
        db.Memberships.Remove(membership);
        db.Audit(tenantId, caller, "membership.left", $"user:{userId}", null, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        await authorizations.EndSessionsInTenantAsync(tokens, cache, userId, tenantId, cancellationToken);
        return Unit.Value;
    }
}

internal static class LeaveTenantEndpoint
{
    public static void MapLeaveTenant(this IEndpointRouteBuilder api) =>
        api.MapPost(IdentityRoutes.LeaveTenant, async (ISender sender, CancellationToken cancellationToken) =>
            {
                await sender.Send(new Contracts.LeaveTenant(), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithTags("Tenant: members")
            .WithName("LeaveTenant").WithSummary("The caller leaves its tenant (its last owner cannot)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization();
}
