using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Identity.Account;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.ResendInvitation;

/// <summary>Resending invites again: the caller must hold the roles, as the inviter had to, and the address must not have joined since.</summary>
public sealed class ResendInvitationHandler(
    IdentityDbContext db, ITenantContext scope, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    InvitationLinks links)
    : ICommandHandler<Contracts.ResendInvitation, InvitationDto>
{
    public async ValueTask<InvitationDto> Handle(Contracts.ResendInvitation command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var invitation = await db.GetInvitationAsync(tenantId, command.Id, cancellationToken);
        if (invitation.State != InvitationState.Pending)
        {
            throw new ConflictException($"The invitation was {invitation.State.ToString().ToLowerInvariant()} already: invite the address again instead.");
        }

        await grants.EnsureMayInviteAsync(roles, tenantId, invitation.Roles, cancellationToken);
        var now = clock.GetUtcNow();
        if (await db.HasMemberWithEmailAsync(tenantId, invitation.NormalizedEmail, cancellationToken))
        {
            throw new ConflictException($"{invitation.Email} is a member of this tenant already.");
        }

        var token = invitation.NewToken(now, links.Lifetime);
        db.Audit(tenantId, caller, "invitation.resent", $"invitation:{invitation.Id}", new { email = invitation.Email, expiresAt = invitation.ExpiresAt }, now);
        await db.CommitAsync(cancellationToken);
        links.Mail(invitation, token, scope.Tenant!.Slug);
        return invitation.ToDto(now);
    }
}

internal static class ResendInvitationEndpoint
{
    public static void MapResendInvitation(this IEndpointRouteBuilder invitations) =>
        invitations.MapPost("/{id:guid}/resend", async (Guid id, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.ResendInvitation(id), cancellationToken)))
            .WithName("ResendInvitation").WithSummary("Mail an invitation again with a new link and expiry; the old link stops working")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.MembersManage);
}
