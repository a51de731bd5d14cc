using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.RevokeInvitation;

/// <summary>Revoking hands nothing out and takes nothing from a member, so it needs only the right to manage members.</summary>
public sealed class RevokeInvitationHandler(IdentityDbContext db, ITenantContext scope, ICaller caller, TimeProvider clock)
    : ICommandHandler<Contracts.RevokeInvitation, InvitationDto>
{
    public async ValueTask<InvitationDto> Handle(Contracts.RevokeInvitation command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var invitation = await db.GetInvitationAsync(tenantId, command.Id, cancellationToken);
        if (invitation.State != InvitationState.Pending)
        {
            throw new ConflictException($"The invitation was {invitation.State.ToString().ToLowerInvariant()} already.");
        }

        var now = clock.GetUtcNow();
        invitation.Revoke(now);
        db.Audit(tenantId, caller, "invitation.revoked", $"invitation:{invitation.Id}", new { email = invitation.Email }, now);
        return invitation.ToDto(now);
    }
}

internal static class RevokeInvitationEndpoint
{
    public static void MapRevokeInvitation(this IEndpointRouteBuilder invitations) =>
        invitations.MapPost("/{id:guid}/revoke", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.RevokeInvitation(id), cancellationToken)))
            .WithName("RevokeInvitation").WithSummary("Withdraw an invitation of the caller's tenant: its link stops working")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.MembersManage);
}
