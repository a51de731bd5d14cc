using Mediator;

namespace Modular.Identity.Contracts;

/// <summary>The latest account emails (the local outbox), newest first; needs <see cref="IdentityPermissions.UsersRead"/>.</summary>
public sealed record ListOutgoingEmails(int Page = 1, int PageSize = 20) : IQuery<OutgoingEmailPage>;

/// <param name="Status">Pending, Logged (no mail server: only recorded), Sent or Failed.</param>
public sealed record OutgoingEmailDto(Guid Id, string To, string Subject, string Kind, DateTimeOffset CreatedAt, string Status, DateTimeOffset? SentAt);

public sealed record OutgoingEmailPage(IReadOnlyList<OutgoingEmailDto> Items, int Page, int PageSize, int Total);
