using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;

namespace Modular.Identity.UseCases.ListOutgoingEmails;

public sealed class ListOutgoingEmailsHandler(IdentityDbContext db) : IQueryHandler<Contracts.ListOutgoingEmails, OutgoingEmailPage>
{
    public async ValueTask<OutgoingEmailPage> Handle(Contracts.ListOutgoingEmails query, CancellationToken cancellationToken)
    {
        var emails = db.OutgoingEmails.AsNoTracking();
        var total = await emails.CountAsync(cancellationToken);
        var page = await emails
            .OrderByDescending(e => e.Id) // v7 ids: newest first, and a stable order on both providers
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .Select(OutgoingEmailProjection.ToDto)
            .ToListAsync(cancellationToken);
        return new OutgoingEmailPage(page, query.Page, query.PageSize, total);
    }
}

/// <summary>An email as the console lists it: one projection, translated to SQL, for the list and the single email.</summary>
internal static class OutgoingEmailProjection
{
    public static readonly System.Linq.Expressions.Expression<Func<Domain.OutgoingEmail, OutgoingEmailDto>> ToDto =
        e => new OutgoingEmailDto(e.Id, e.To, e.Subject, e.Kind, e.CreatedAt, e.Status.ToString(), e.SentAt);

    /// <summary>The same, for an email already read.</summary>
    public static readonly Func<Domain.OutgoingEmail, OutgoingEmailDto> Map = ToDto.Compile();
}

internal sealed class ListOutgoingEmailsValidator : AbstractValidator<Contracts.ListOutgoingEmails>
{
    public ListOutgoingEmailsValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
    }
}
