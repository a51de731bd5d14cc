using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
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

namespace Modular.Identity.UseCases.InviteMember;

public sealed class InviteMemberHandler(
    IdentityDbContext db, ITenantContext scope, UserManager<User> users, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    InvitationLinks links)
    : ICommandHandler<Contracts.InviteMember, InvitationDto>
{
    public async ValueTask<InvitationDto> Handle(Contracts.InviteMember command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        await grants.EnsureMayInviteAsync(roles, tenantId, command.Roles, cancellationToken);
        var now = clock.GetUtcNow();
        var email = command.Email.Trim();
        switch (await db.WhyNotInvitableAsync(tenantId, users.Normalize(email), now, cancellationToken))
        {
            case BulkInvitationOutcomes.AlreadyMember:
                throw new ConflictException($"{email} is a member of this tenant already.");
            case BulkInvitationOutcomes.AlreadyInvited:
                throw new ConflictException($"{email} has an open invitation already: resend it, or revoke it first.");
        }

        var (invitation, token) = Invitation.Create(tenantId, email, users.Normalize(email), command.Roles, caller.Actor, now, links.Lifetime);
        db.Invitations.Add(invitation);
        db.Audit(tenantId, caller, "invitation.created", $"invitation:{invitation.Id}", new { email, roles = invitation.Roles }, now);
        await db.CommitAsync(cancellationToken);
        links.Mail(invitation, token, scope.Tenant!.Slug);
        return invitation.ToDto(now);
    }
}

internal sealed class InviteMemberValidator : AbstractValidator<Contracts.InviteMember>
{
    public InviteMemberValidator()
    {
        RuleFor(c => c.Email).Must(e => AccountPages.IsEmail(e.Trim())).WithMessage("Enter a valid email address.");
        RuleFor(c => c.Roles).InvitedRoles();
        RuleForEach(c => c.Roles).NotEmpty().MaximumLength(TenantRole.NameMaxLength);
    }
}

internal static class InvitedRolesRule
{
    public static IRuleBuilderOptions<T, IReadOnlyList<string>> InvitedRoles<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule) =>
        rule.NotEmpty().Must(r => r.Count <= TenantRole.MaxRolesPerMember).WithMessage($"A member holds at most {TenantRole.MaxRolesPerMember} roles.");
}

internal static class InviteMemberEndpoint
{
    public static void MapInviteMember(this IEndpointRouteBuilder invitations) =>
        invitations.MapPost("/", async (Contracts.InviteMember body, ISender sender, CancellationToken cancellationToken) =>
            {
                var invited = await sender.Send(body, cancellationToken);
                return TypedResults.Created(IdentityRoutes.TenantInvitation(invited.Id), invited);
            })
            .WithName("InviteMember").WithSummary("Invite an address into the caller's tenant with roles the caller holds")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(IdentityPermissions.MembersManage);
}
