using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.RemoveMembership;

public sealed class RemoveMembershipHandler(
    UserManager<User> users, IdentityDbContext db, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.RemoveMembership, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.RemoveMembership command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.UserId);
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == command.TenantId, cancellationToken)
            ?? throw new NotFoundException("Membership", command.TenantId);
        await db.EnsureAnotherOwnerAsync(membership, cancellationToken);
        db.Memberships.Remove(membership);
        db.Audit(command.TenantId, caller, "membership.removed", $"user:{user.Id}", null, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        // Out at once: the sessions in this tenant end, and this instance stops believing the tokens already out.
        await authorizations.RevokeInTenantAsync(tokens, user.Id, command.TenantId, cancellationToken);
        await MembershipDirectory.ForgetUserAsync(cache, user.Id, cancellationToken);
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal static class RemoveMembershipEndpoint
{
    public static void MapRemoveMembership(this IEndpointRouteBuilder users) =>
        users.MapDelete("/{id:guid}/memberships/{tenantId:guid}", async (Guid id, Guid tenantId, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.RemoveMembership(id, tenantId), cancellationToken)))
            .WithName("RemoveMembership").WithSummary("Take the user out of a tenant")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
