using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.AcceptInvitation;

/// <summary>
/// The invitee is not a member yet, so the invitation's tenant comes from the invitation, found by its id and proved by
/// its token (a wrong token is the same 404 as an unknown id). Then: still open, the signed-in account's confirmed email
/// is the invited address (a forwarded link lets nobody else in), the tenant still there and its roles still its own.
/// No grant check here: the inviter's was made when inviting (and resending). Any refusal changes nothing.
/// </summary>
public sealed class AcceptInvitationHandler(
    IdentityDbContext db, TenantScope scope, ITenantDirectory tenants, UserManager<User> users, RoleGrants roles, ICaller caller, TimeProvider clock,
    ClusterCache cache)
    : ICommandHandler<Contracts.AcceptInvitation, AcceptedInvitation>
{
    public async ValueTask<AcceptedInvitation> Handle(Contracts.AcceptInvitation command, CancellationToken cancellationToken)
    {
        // Only to find the one row the link names; the work below is done in that tenant's scope.
        scope.EnterAllTenants();
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == command.Id, cancellationToken);
        if (invitation is null || !invitation.HasToken(command.Token))
        {
            throw new NotFoundException("Invitation", command.Id);
        }

        var now = clock.GetUtcNow();
        switch (invitation.State)
        {
            case InvitationState.Accepted:
                throw new InvitationNotValidException("This invitation has been accepted already.");
            case InvitationState.Revoked:
                throw new InvitationNotValidException("This invitation was withdrawn. Ask for a new one.");
            case InvitationState.Pending when invitation.IsExpired(now):
                throw new InvitationNotValidException("This invitation has expired. Ask for a new one.");
        }

        var user = caller.UserId() is { } userId ? await users.FindByIdAsync(userId.ToString()) : null;
        if (user is null)
        {
            throw new InvitationForAnotherAddressException("Sign in as the invited user to accept an invitation.");
        }

        if (!user.EmailConfirmed || users.Normalize(user.Email ?? "") != invitation.NormalizedEmail)
        {
            throw new InvitationForAnotherAddressException(
                $"This invitation is for {invitation.Email}: sign in with the account whose confirmed email is that address.");
        }

        var tenant = await tenants.FindAsync(invitation.TenantId.ToString(), cancellationToken);
        if (tenant is null || tenant.IsSuspended)
        {
            throw new InvitationNotValidException("The organization of this invitation is not available.");
        }

        scope.Enter(tenant);
        if (await db.Memberships.AnyAsync(m => m.TenantId == tenant.Id && m.UserId == user.Id, cancellationToken))
        {
            throw new ConflictException("You are a member of this organization already.");
        }

        try
        {
            await roles.EnsureTenantRolesAsync(tenant.Id, invitation.Roles, cancellationToken);
        }
        catch (RequestValidationException)
        {
            throw new InvitationNotValidException("A role this invitation grants no longer exists. Ask for a new invitation.");
        }

        db.Memberships.Add(Membership.Create(tenant.Id, user.Id, invitation.Roles, now));
        invitation.Accept(user.Id, now);
        db.Audit(tenant.Id, caller, "invitation.accepted", $"invitation:{invitation.Id}", new { userId = user.Id, roles = invitation.Roles }, now);
        await db.CommitAsync(cancellationToken);
        await MembershipDirectory.ForgetUserAsync(cache, user.Id, cancellationToken);
        return new AcceptedInvitation(tenant.Id, user.Id, invitation.Roles);
    }
}

internal sealed class AcceptInvitationValidator : AbstractValidator<Contracts.AcceptInvitation>
{
    public AcceptInvitationValidator()
    {
        RuleFor(c => c.Id).NotEmpty();
        RuleFor(c => c.Token).NotEmpty().MaximumLength(100);
    }
}

internal static class AcceptInvitationEndpoint
{
    public static void MapAcceptInvitation(this IEndpointRouteBuilder api) =>
        api.MapPost(IdentityRoutes.AcceptInvitation, async (Contracts.AcceptInvitation body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body, cancellationToken)))
            .WithTags("Tenant: invitations")
            .WithName("AcceptInvitation").WithSummary("The signed-in user accepts an invitation mailed to their confirmed address")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireAuthorization();
}
