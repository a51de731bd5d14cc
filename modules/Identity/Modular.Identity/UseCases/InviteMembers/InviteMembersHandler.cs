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
using Modular.Identity.UseCases.InviteMember;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.InviteMembers;

/// <summary>
/// A pasted list: the roles are checked once (a refusal fails the whole request, as it would each address), then every
/// address gets its own outcome; a bad or taken address does not stop the others.
/// </summary>
public sealed class InviteMembersHandler(
    IdentityDbContext db, ITenantContext scope, UserManager<User> users, RoleGrants roles, GrantCheck grants, ICaller caller, TimeProvider clock,
    InvitationLinks links)
    : ICommandHandler<Contracts.InviteMembers, BulkInvitationResult>
{
    public async ValueTask<BulkInvitationResult> Handle(Contracts.InviteMembers command, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        await grants.EnsureMayInviteAsync(roles, tenantId, command.Roles, cancellationToken);
        var now = clock.GetUtcNow();
        var items = new List<BulkInvitationItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var invited = new List<(Invitation Invitation, string Token)>();
        foreach (var given in command.Emails)
        {
            var email = given.Trim();
            if (!AccountPages.IsEmail(email))
            {
                items.Add(new(given, BulkInvitationOutcomes.Invalid, null, "Not a valid email address."));
                continue;
            }

            var normalized = users.Normalize(email);
            var whyNot = seen.Add(normalized) ? await db.WhyNotInvitableAsync(tenantId, normalized, now, cancellationToken) : BulkInvitationOutcomes.AlreadyInvited;
            if (whyNot is not null)
            {
                items.Add(new(email, whyNot, null, null));
                continue;
            }

            var (invitation, token) = Invitation.Create(tenantId, email, normalized, command.Roles, caller.Actor, now, links.Lifetime);
            db.Invitations.Add(invitation);
            db.Audit(tenantId, caller, "invitation.created", $"invitation:{invitation.Id}", new { email, roles = invitation.Roles }, now);
            invited.Add((invitation, token));
            items.Add(new(email, BulkInvitationOutcomes.Invited, invitation.Id, null));
        }

        await db.CommitAsync(cancellationToken);
        foreach (var (invitation, token) in invited)
        {
            links.Mail(invitation, token, scope.Tenant!.Slug);
        }

        return new BulkInvitationResult(items);
    }
}

internal sealed class InviteMembersValidator : AbstractValidator<Contracts.InviteMembers>
{
    public InviteMembersValidator()
    {
        // Each address is judged on its own (an "invalid" outcome), but not an unbounded list, nor unbounded text.
        RuleFor(c => c.Emails).NotEmpty().Must(e => e.Count <= Invitations.MaxBulk).WithMessage($"Invite at most {Invitations.MaxBulk} addresses at once.");
        RuleForEach(c => c.Emails).MaximumLength(AccountPages.MaxEmailLength);
        RuleFor(c => c.Roles).InvitedRoles();
        RuleForEach(c => c.Roles).NotEmpty().MaximumLength(TenantRole.NameMaxLength);
    }
}

internal static class InviteMembersEndpoint
{
    public static void MapInviteMembers(this IEndpointRouteBuilder invitations) =>
        invitations.MapPost("/bulk", async (Contracts.InviteMembers body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body, cancellationToken)))
            .WithName("InviteMembers").WithSummary("Invite a list of addresses with the same roles; an outcome per address")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .RequirePermission(IdentityPermissions.MembersManage);
}
