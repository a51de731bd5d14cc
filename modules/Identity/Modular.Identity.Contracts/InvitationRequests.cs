using Mediator;

namespace Modular.Identity.Contracts;

// Invitations to the caller's own tenant (from its token, never from the request), except accepting one: the invitee
// is not a member yet, and the link's id and token say which tenant.

/// <summary>
/// Invites an address into the caller's tenant with <paramref name="Roles"/>, which the caller must hold (nobody invites
/// into what they do not hold). An address already a member, or with an open invitation, is a conflict.
/// </summary>
public sealed record InviteMember(string Email, IReadOnlyList<string> Roles) : ICommand<InvitationDto>;

/// <summary>Invites each address with the same roles; every address gets its own outcome, none fails the others.</summary>
public sealed record InviteMembers(IReadOnlyList<string> Emails, IReadOnlyList<string> Roles) : ICommand<BulkInvitationResult>;

/// <summary>The tenant's invitations, newest first; <paramref name="Status"/> is one of <see cref="InvitationStatuses"/>.</summary>
public sealed record ListInvitations(int Page = 1, int PageSize = 20, string? Status = null) : IQuery<InvitationPage>;

/// <summary>Withdraws an open invitation: its link stops working.</summary>
public sealed record RevokeInvitation(Guid Id) : ICommand<InvitationDto>;

/// <summary>Mails a pending invitation again with a new token and a new expiry; the old link stops working.</summary>
public sealed record ResendInvitation(Guid Id) : ICommand<InvitationDto>;

/// <summary>
/// The signed-in user accepts the invitation the link names: their confirmed email must be the invited address. They
/// become a member with the invited roles.
/// </summary>
public sealed record AcceptInvitation(Guid Id, string Token) : ICommand<AcceptedInvitation>;

public static class InvitationStatuses
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Revoked = "revoked";

    /// <summary>Pending past its expiry: no longer accepted.</summary>
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Pending, Accepted, Revoked, Expired];
}

/// <param name="Status">One of <see cref="InvitationStatuses"/>.</param>
public sealed record InvitationDto(
    Guid Id, string Email, IReadOnlyList<string> Roles, string Status, string InvitedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    Guid? AcceptedBy, DateTimeOffset? AcceptedAt);

public sealed record InvitationPage(IReadOnlyList<InvitationDto> Items, int Page, int PageSize, int Total);

public static class BulkInvitationOutcomes
{
    public const string Invited = "invited";
    public const string AlreadyMember = "already-member";
    public const string AlreadyInvited = "already-invited";
    public const string Invalid = "invalid";
}

/// <param name="Outcome">One of <see cref="BulkInvitationOutcomes"/>.</param>
/// <param name="Invitation">The new invitation's id, when invited.</param>
public sealed record BulkInvitationItem(string Email, string Outcome, Guid? Invitation, string? Detail);

/// <summary>One item per address given, in order.</summary>
public sealed record BulkInvitationResult(IReadOnlyList<BulkInvitationItem> Items);

/// <summary>The membership an accepted invitation made.</summary>
public sealed record AcceptedInvitation(Guid TenantId, Guid UserId, IReadOnlyList<string> Roles);
