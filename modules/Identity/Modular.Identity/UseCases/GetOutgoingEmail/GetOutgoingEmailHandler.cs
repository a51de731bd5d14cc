using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Identity.UseCases.ListOutgoingEmails;
using Modular.Kernel.Errors;

namespace Modular.Identity.UseCases.GetOutgoingEmail;

public sealed class GetOutgoingEmailHandler(IdentityDbContext db) : IQueryHandler<Contracts.GetOutgoingEmail, OutgoingEmailDetailDto>
{
    public async ValueTask<OutgoingEmailDetailDto> Handle(Contracts.GetOutgoingEmail query, CancellationToken cancellationToken)
    {
        var email = await db.OutgoingEmails.AsNoTracking().SingleOrDefaultAsync(e => e.Id == query.Id, cancellationToken)
            ?? throw new NotFoundException("Outgoing email", query.Id);
        return new OutgoingEmailDetailDto(OutgoingEmailProjection.Map(email), email.HtmlBody);
    }
}
