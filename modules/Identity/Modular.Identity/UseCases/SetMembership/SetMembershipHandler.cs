using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.SetMembership;

public sealed class SetMembershipHandler(
    UserManager<User> users, IdentityDbContext db, ITenantDirectory tenants, GrantCheck grants, RoleGrants roles, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, ClusterCache cache)
    : ICommandHandler<Contracts.SetMembership, UserDto>
{
    public async ValueTask<UserDto> Handle(Contracts.SetMembership command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.UserId);
        _ = await tenants.FindAsync(command.TenantId.ToString(), cancellationToken) ?? throw new NotFoundException("Tenant", command.TenantId);
        var now = clock.GetUtcNow();
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == command.TenantId, cancellationToken);
        var roleTakenAway = false;
        if (membership is null)
        {
            await roles.EnsureTenantRolesAsync(command.TenantId, command.Roles, cancellationToken);
            await grants.EnsureMayGrantAsync(await roles.PermissionsInTenantAsync(command.TenantId, command.Roles, cancellationToken), command.TenantId.ToString(), cancellationToken);
            db.Memberships.Add(Membership.Create(command.TenantId, user.Id, command.Roles, now));
        }
        else
        {
            roleTakenAway = await db.ReplaceRolesAsync(membership, command.Roles, roles, grants, cancellationToken);
        }

        db.Audit(command.TenantId, caller, "membership.set", $"user:{user.Id}", new { roles = command.Roles }, now);
        await db.CommitAsync(cancellationToken);
        if (roleTakenAway)
        {
            // Tokens carry the roles' permissions: the sessions in this tenant end, and the next sign-in has the new roles.
            await authorizations.RevokeInTenantAsync(tokens, user.Id, command.TenantId, cancellationToken);
        }

        await MembershipDirectory.ForgetUserAsync(cache, user.Id, cancellationToken);
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

internal sealed class SetMembershipValidator : AbstractValidator<Contracts.SetMembership>
{
    public SetMembershipValidator()
    {
        // Which names are roles depends on the tenant (its own roles): RoleGrants checks them in the handler.
        RuleFor(c => c.Roles).NotEmpty().Must(r => r.Count <= TenantRole.MaxRolesPerMember)
            .WithMessage($"A member holds at most {TenantRole.MaxRolesPerMember} roles.");
        RuleForEach(c => c.Roles).NotEmpty().MaximumLength(TenantRole.NameMaxLength);
    }
}

internal sealed record SetMembershipBody(IReadOnlyList<string> Roles);

internal static class SetMembershipEndpoint
{
    public static void MapSetMembership(this IEndpointRouteBuilder users) =>
        users.MapPut("/{id:guid}/memberships/{tenantId:guid}", async (Guid id, Guid tenantId, SetMembershipBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.SetMembership(id, tenantId, body.Roles ?? []), cancellationToken)))
            .WithName("SetMembership").WithSummary("Add the user to a tenant, or replace their roles there")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(IdentityPermissions.UsersManage);
}
