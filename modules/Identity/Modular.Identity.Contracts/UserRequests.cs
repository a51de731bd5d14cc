using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>Users for platform operators: search by email or name, newest first.</summary>
public sealed record ListUsers(int Page = 1, int PageSize = 20, string? Search = null) : IQuery<UserPage>;

public sealed record GetUser(Guid Id) : IQuery<UserDto>;

/// <summary>
/// An account for <paramref name="Email"/>, created by an operator with no password. With <paramref name="Invite"/>, the
/// address is mailed a link to choose one, which also confirms it.
/// </summary>
public sealed record CreateUser(string Email, string? DisplayName = null, bool Invite = true) : ICommand<UserDto>;

/// <summary>Mails the user a link to choose a new password; the current one keeps working until they do.</summary>
public sealed record SendPasswordReset(Guid Id) : ICommand<UserDto>;

/// <summary>Marks the user's address confirmed: the operator vouches for it (the user need not follow the link).</summary>
public sealed record ConfirmUserEmail(Guid Id) : ICommand<UserDto>;

/// <summary>Locks a user out until <paramref name="Until"/> (or indefinitely) and ends their sessions.</summary>
public sealed record LockUser(Guid Id, DateTimeOffset? Until = null) : ICommand<UserDto>;

public sealed record UnlockUser(Guid Id) : ICommand<UserDto>;

/// <summary>Turns two-factor sign-in off and forgets the authenticator key and recovery codes (a lost phone).</summary>
public sealed record ResetTwoFactor(Guid Id) : ICommand<UserDto>;

/// <summary>Adds the user to a tenant with these roles, or replaces their roles there.</summary>
public sealed record SetMembership(Guid UserId, Guid TenantId, IReadOnlyList<string> Roles) : ICommand<UserDto>;

public sealed record RemoveMembership(Guid UserId, Guid TenantId) : ICommand<UserDto>;

/// <summary>The user's sign-ins at clients (authorizations) with their live tokens.</summary>
public sealed record ListUserSessions(Guid UserId) : IQuery<IReadOnlyList<SessionDto>>;

/// <summary>Revokes one session (authorization) and its tokens, or every session of the user when none is named.</summary>
public sealed record RevokeUserSessions(Guid UserId, Guid? SessionId = null) : ICommand<int>;

public sealed record UserSummaryDto(
    Guid Id, string Email, string DisplayName, bool EmailConfirmed, bool TwoFactorEnabled, DateTimeOffset? LockedOutUntil, DateTimeOffset CreatedAt);

public sealed record UserPage(IReadOnlyList<UserSummaryDto> Items, int Page, int PageSize, int Total);

public sealed record MembershipDto(Guid TenantId, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

public sealed record UserDto(
    Guid Id, string Email, string DisplayName, bool EmailConfirmed, bool TwoFactorEnabled, DateTimeOffset? LockedOutUntil,
    int AccessFailedCount, DateTimeOffset CreatedAt, IReadOnlyList<string> PlatformRoles, IReadOnlyList<MembershipDto> Memberships, int Passkeys);

public sealed record SessionDto(
    Guid Id, string ClientId, string ClientName, string Status, DateTimeOffset? CreatedAt, IReadOnlyList<string> Scopes, IReadOnlyList<TokenDto> Tokens);

public sealed record TokenDto(Guid Id, string Type, string Status, DateTimeOffset? CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>What the console's dashboard says about accounts.</summary>
public sealed record GetUsersOverview : IQuery<UsersOverview>;

/// <param name="SignInsLastDay">OpenID Connect sessions started in the last 24 hours (sign-ins at the platform's apps).</param>
public sealed record UsersOverview(int Total, int Unconfirmed, int LockedOut, int SignInsLastDay);
