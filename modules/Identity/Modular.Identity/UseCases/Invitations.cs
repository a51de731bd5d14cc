using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Account;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Email;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Identity.UseCases;

/// <summary>What inviting, resending and accepting share: who may be invited, the grant check, the mail, the answer.</summary>
internal static class Invitations
{
    /// <summary>How many addresses one bulk invitation takes.</summary>
    public const int MaxBulk = 100;

    /// <summary>Why <paramref name="normalizedEmail"/> cannot be invited to <paramref name="tenantId"/> now (a <see cref="BulkInvitationOutcomes"/> value), or null.</summary>
    public static async Task<string?> WhyNotInvitableAsync(this IdentityDbContext db, Guid tenantId, string normalizedEmail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.HasMemberWithEmailAsync(tenantId, normalizedEmail, cancellationToken))
        {
            return BulkInvitationOutcomes.AlreadyMember;
        }

        return await db.Invitations.AnyAsync(
            i => i.TenantId == tenantId && i.NormalizedEmail == normalizedEmail && i.State == InvitationState.Pending && i.ExpiresAt > now, cancellationToken)
            ? BulkInvitationOutcomes.AlreadyInvited
            : null;
    }

    public static Task<bool> HasMemberWithEmailAsync(this IdentityDbContext db, Guid tenantId, string normalizedEmail, CancellationToken cancellationToken) =>
        db.Memberships.AnyAsync(m => m.TenantId == tenantId && db.Users.Any(u => u.Id == m.UserId && u.NormalizedEmail == normalizedEmail), cancellationToken);

    /// <summary>Nobody invites into what they do not hold: the roles must be the tenant's, and their permissions the caller's.</summary>
    public static async Task EnsureMayInviteAsync(this GrantCheck grants, RoleGrants roles, Guid tenantId, IReadOnlyList<string> invited, CancellationToken cancellationToken)
    {
        await roles.EnsureTenantRolesAsync(tenantId, invited, cancellationToken);
        await grants.EnsureMayGrantAsync(await roles.PermissionsInTenantAsync(tenantId, invited, cancellationToken), tenantId.ToString(), cancellationToken);
    }

    /// <summary>An invitation of <paramref name="tenantId"/>; 404 for any other, whether it exists elsewhere or not.</summary>
    public static async Task<Invitation> GetInvitationAsync(this IdentityDbContext db, Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        await db.Invitations.FirstOrDefaultAsync(i => i.TenantId == tenantId && i.Id == id, cancellationToken)
        ?? throw new NotFoundException("Invitation", id);

    public static string Normalize(this UserManager<User> users, string email) => users.NormalizeEmail(email.Trim()) ?? "";

    public static InvitationDto ToDto(this Invitation invitation, DateTimeOffset now) => new(
        invitation.Id, invitation.Email, invitation.Roles, StatusOf(invitation, now), invitation.InvitedBy, invitation.CreatedAt, invitation.ExpiresAt,
        invitation.AcceptedBy, invitation.AcceptedAt);

    private static string StatusOf(Invitation invitation, DateTimeOffset now) => invitation.State switch
    {
        InvitationState.Accepted => InvitationStatuses.Accepted,
        InvitationState.Revoked => InvitationStatuses.Revoked,
        _ when invitation.IsExpired(now) => InvitationStatuses.Expired,
        _ => InvitationStatuses.Pending,
    };
}

/// <summary>
/// An invitation's link: how long it works (<c>Identity:Invitations:Lifetime</c>) and its mail. Public for the handlers'
/// constructors, built by a factory (its parts are the module's own).
/// </summary>
public sealed class InvitationLinks
{
    private readonly AccountEmails _mails;
    private readonly IdentitySettings _settings;
    private readonly IHttpContextAccessor _http;

    internal InvitationLinks(AccountEmails mails, IOptions<IdentitySettings> settings, IHttpContextAccessor http)
    {
        _mails = mails;
        _settings = settings.Value;
        _http = http;
    }

    public TimeSpan Lifetime => _settings.Invitations.Lifetime;

    /// <summary>
    /// Queues the invitation's mail, to leave after the answer (call it after the commit that stored the token's hash).
    /// The link points at the configured issuer, else this request's origin (<see cref="AccountPages.Origin"/>).
    /// </summary>
    internal void Mail(Invitation invitation, string token, string tenant)
    {
        var origin = AccountPages.Origin(_http, _settings);
        var (id, email) = (invitation.Id, invitation.Email);
        var link = AccountPages.Link(origin, IdentityRoutes.AcceptInvitationPage, new Dictionary<string, string?> { ["id"] = id.ToString(), ["token"] = token });
        _mails.Enqueue(OutgoingEmailKinds.Invitation, services => services.GetRequiredService<OutboxEmailSender>().SendInvitationAsync(email, tenant, link));
    }
}

/// <summary>The invitation was revoked, has expired or was accepted already: nothing changes, a new one is needed.</summary>
internal sealed class InvitationNotValidException(string detail) : ProblemException("Invitation not valid", detail)
{
    public override int Status => 400;

    public override string Type => ProblemTypes.InvitationNotValid;
}

/// <summary>A forwarded link: the signed-in account's confirmed email is not the invited address.</summary>
internal sealed class InvitationForAnotherAddressException(string detail) : ProblemException("Invitation for another address", detail)
{
    public override int Status => 403;

    public override string Type => ProblemTypes.InvitationForAnotherAddress;
}
