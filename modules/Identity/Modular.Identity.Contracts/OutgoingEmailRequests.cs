using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>The latest account emails (the local outbox), newest first; needs <see cref="IdentityPermissions.UsersRead"/>.</summary>
public sealed record ListOutgoingEmails(int Page = 1, int PageSize = 20) : IQuery<OutgoingEmailPage>;

/// <param name="Status">Pending, Logged (no mail server: only recorded), Sent or Failed.</param>
public sealed record OutgoingEmailDto(Guid Id, string To, string Subject, string Kind, DateTimeOffset CreatedAt, string Status, DateTimeOffset? SentAt);

public sealed record OutgoingEmailPage(IReadOnlyList<OutgoingEmailDto> Items, int Page, int PageSize, int Total);

/// <summary>One account email with its body, as long as it is kept (until a real mail server delivered it); needs <see cref="IdentityPermissions.UsersRead"/>.</summary>
public sealed record GetOutgoingEmail(Guid Id) : IQuery<OutgoingEmailDetailDto>;

/// <param name="HtmlBody">The HTML the platform wrote; null once a mail server delivered it (its links are the recipient's alone).</param>
public sealed record OutgoingEmailDetailDto(OutgoingEmailDto Email, string? HtmlBody);
