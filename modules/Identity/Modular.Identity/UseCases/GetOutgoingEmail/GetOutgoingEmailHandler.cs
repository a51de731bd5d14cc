using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;

namespace Modular.Identity.UseCases.GetOutgoingEmail;

public sealed class GetOutgoingEmailHandler(IdentityDbContext db) : IQueryHandler<Contracts.GetOutgoingEmail, OutgoingEmailDetailDto>
{
    public async ValueTask<OutgoingEmailDetailDto> Handle(Contracts.GetOutgoingEmail query, CancellationToken cancellationToken) =>
        await db.OutgoingEmails.AsNoTracking().Where(e => e.Id == query.Id)
            .Select(e => new OutgoingEmailDetailDto(new OutgoingEmailDto(e.Id, e.To, e.Subject, e.Kind, e.CreatedAt, e.Status.ToString(), e.SentAt), e.HtmlBody))
            .SingleOrDefaultAsync(cancellationToken)
        ?? throw new NotFoundException("Outgoing email", query.Id);
}
