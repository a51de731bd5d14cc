using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>
/// Organisations that signed themselves up, newest first; <paramref name="Pending"/>: only those waiting for the email
/// confirmation (true) or only the activated (false). Needs <see cref="IdentityPermissions.UsersRead"/>.
/// </summary>
public sealed record ListSignUps(int Page = 1, int PageSize = 20, bool? Pending = null) : IQuery<SignUpPage>;

/// <param name="ClientAddress">Where the sign-up came from.</param>
/// <param name="ActivatedAt">When the owner confirmed the address and the tenant started serving; null while pending.</param>
public sealed record SignUpDto(
    Guid Id, Guid TenantId, string OrganizationName, string Slug, Guid UserId, string Email, string? ClientAddress, DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatedAt);

public sealed record SignUpPage(IReadOnlyList<SignUpDto> Items, int Page, int PageSize, int Total);
