using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.ListInvitations;

public sealed class ListInvitationsHandler(IdentityDbContext db, ITenantContext scope, TimeProvider clock) : IQueryHandler<Contracts.ListInvitations, InvitationPage>
{
    public async ValueTask<InvitationPage> Handle(Contracts.ListInvitations query, CancellationToken cancellationToken)
    {
        var tenantId = scope.CurrentTenantId();
        var now = clock.GetUtcNow();
        var invitations = db.Invitations.AsNoTracking().Where(i => i.TenantId == tenantId);
        invitations = query.Status switch
        {
            InvitationStatuses.Pending => invitations.Where(i => i.State == InvitationState.Pending && i.ExpiresAt > now),
            InvitationStatuses.Expired => invitations.Where(i => i.State == InvitationState.Pending && i.ExpiresAt <= now),
            InvitationStatuses.Accepted => invitations.Where(i => i.State == InvitationState.Accepted),
            InvitationStatuses.Revoked => invitations.Where(i => i.State == InvitationState.Revoked),
            _ => invitations,
        };
        var total = await invitations.CountAsync(cancellationToken);
        var page = await invitations
            .OrderByDescending(i => i.Id) // version 7: newest first
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken);
        return new InvitationPage([.. page.Select(i => i.ToDto(now))], query.Page, query.PageSize, total);
    }
}

internal sealed class ListInvitationsValidator : AbstractValidator<Contracts.ListInvitations>
{
    public ListInvitationsValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
        RuleFor(q => q.Status).Must(s => s is null || InvitationStatuses.All.Contains(s))
            .WithMessage($"A status is one of {string.Join(", ", InvitationStatuses.All)}.");
    }
}

internal static class ListInvitationsEndpoint
{
    public static void MapListInvitations(this IEndpointRouteBuilder invitations) =>
        invitations.MapGet("/", async (ISender sender, CancellationToken cancellationToken, int page = 1, int pageSize = 20, string? status = null) =>
                TypedResults.Ok(await sender.Send(new Contracts.ListInvitations(page, pageSize, status), cancellationToken)))
            .WithName("ListInvitations").WithSummary("The caller's tenant's invitations, newest first, optionally of one status")
            .ProducesValidationProblem()
            .RequirePermission(IdentityPermissions.MembersRead);
}
