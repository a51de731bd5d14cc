using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Connect;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.UseCases.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases.Users;

public sealed class ListUsersHandler(IdentityDbContext db, TimeProvider clock) : IQueryHandler<ListUsers, UserPage>
{
    public async ValueTask<UserPage> Handle(ListUsers query, CancellationToken cancellationToken)
    {
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail!.Contains(search) || u.DisplayName.ToUpper().Contains(search));
        }

        var total = await users.CountAsync(cancellationToken);
        var page = await users
            .OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id)
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return new UserPage([.. page.Select(u => u.ToSummary(now))], query.Page, query.PageSize, total);
    }
}

internal sealed class ListUsersValidator : AbstractValidator<ListUsers>
{
    public ListUsersValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, 1_000_000);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 100);
        RuleFor(q => q.Search).MaximumLength(100);
    }
}

public sealed class GetUserHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : IQueryHandler<GetUser, UserDto>
{
    public async ValueTask<UserDto> Handle(GetUser query, CancellationToken cancellationToken) =>
        await db.DescribeAsync(users, await users.GetAsync(query.Id), clock.GetUtcNow(), cancellationToken);
}

public sealed class LockUserHandler(
    UserManager<User> users, IdentityDbContext db, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, TimeProvider clock)
    : ICommandHandler<LockUser, UserDto>
{
    public async ValueTask<UserDto> Handle(LockUser command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        if (command.Until is { } until && until <= clock.GetUtcNow())
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["until"] = ["The lock must end in the future."] });
        }

        UserAccountsExtensions.Check(await users.SetLockoutEnabledAsync(user, true));
        UserAccountsExtensions.Check(await users.SetLockoutEndDateAsync(user, command.Until ?? DateTimeOffset.MaxValue));
        // The login cookie is re-validated against the security stamp; refresh tokens are revoked now.
        UserAccountsExtensions.Check(await users.UpdateSecurityStampAsync(user));
        await authorizations.RevokeSessionsAsync(tokens, user, sessionId: null, cancellationToken);
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

public sealed class UnlockUserHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : ICommandHandler<UnlockUser, UserDto>
{
    public async ValueTask<UserDto> Handle(UnlockUser command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        UserAccountsExtensions.Check(await users.SetLockoutEndDateAsync(user, null));
        UserAccountsExtensions.Check(await users.ResetAccessFailedCountAsync(user));
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

public sealed class ResetTwoFactorHandler(UserManager<User> users, IdentityDbContext db, TimeProvider clock) : ICommandHandler<ResetTwoFactor, UserDto>
{
    public async ValueTask<UserDto> Handle(ResetTwoFactor command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.Id);
        UserAccountsExtensions.Check(await users.SetTwoFactorEnabledAsync(user, false));
        UserAccountsExtensions.Check(await users.ResetAuthenticatorKeyAsync(user)); // the lost device's key is useless from now on
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

public sealed class SetMembershipHandler(
    UserManager<User> users, IdentityDbContext db, ITenantDirectory tenants, GrantCheck grants, RoleGrants roles, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, HybridCache cache)
    : ICommandHandler<SetMembership, UserDto>
{
    public async ValueTask<UserDto> Handle(SetMembership command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.UserId);
        _ = await tenants.FindAsync(command.TenantId.ToString(), cancellationToken) ?? throw new NotFoundException("Tenant", command.TenantId);
        await grants.EnsureMayGrantAsync(roles.PermissionsOf(command.Roles), command.TenantId.ToString(), cancellationToken);
        var now = clock.GetUtcNow();
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == command.TenantId, cancellationToken);
        var roleTakenAway = membership is not null && membership.Roles.Except(command.Roles).Any();
        if (membership is null)
        {
            db.Memberships.Add(Membership.Create(command.TenantId, user.Id, command.Roles, now));
        }
        else
        {
            membership.ReplaceRoles(command.Roles);
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

internal sealed class SetMembershipValidator : AbstractValidator<SetMembership>
{
    public SetMembershipValidator(IOptions<IdentitySettings> settings)
    {
        var tenantRoles = settings.Value.RolePermissions.Keys.Where(r => r != IdentityRoles.PlatformAdmin).ToHashSet();
        RuleFor(c => c.Roles).NotEmpty();
        RuleForEach(c => c.Roles).Must(tenantRoles.Contains)
            .WithMessage($"Tenant roles are {string.Join(", ", tenantRoles.Order(StringComparer.Ordinal))}.");
    }
}

public sealed class RemoveMembershipHandler(
    UserManager<User> users, IdentityDbContext db, ICaller caller, TimeProvider clock,
    IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, HybridCache cache)
    : ICommandHandler<RemoveMembership, UserDto>
{
    public async ValueTask<UserDto> Handle(RemoveMembership command, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(command.UserId);
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == command.TenantId, cancellationToken)
            ?? throw new NotFoundException("Membership", command.TenantId);
        db.Memberships.Remove(membership);
        db.Audit(command.TenantId, caller, "membership.removed", $"user:{user.Id}", null, clock.GetUtcNow());
        await db.CommitAsync(cancellationToken);
        // Out at once: the sessions in this tenant end, and this instance stops believing the tokens already out.
        await authorizations.RevokeInTenantAsync(tokens, user.Id, command.TenantId, cancellationToken);
        await MembershipDirectory.ForgetUserAsync(cache, user.Id, cancellationToken);
        return await db.DescribeAsync(users, user, clock.GetUtcNow(), cancellationToken);
    }
}

public sealed class ListUserSessionsHandler(
    UserManager<User> users, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, IOpenIddictApplicationManager applications)
    : IQueryHandler<ListUserSessions, IReadOnlyList<SessionDto>>
{
    public async ValueTask<IReadOnlyList<SessionDto>> Handle(ListUserSessions query, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(query.UserId);
        var sessions = new List<SessionDto>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(user.Id.ToString(), cancellationToken))
        {
            var id = (await authorizations.GetIdAsync(authorization, cancellationToken))!;
            var application = await authorizations.GetApplicationIdAsync(authorization, cancellationToken) is { } applicationId
                ? await applications.FindByIdAsync(applicationId, cancellationToken)
                : null;
            var issued = new List<TokenDto>();
            await foreach (var token in tokens.FindByAuthorizationIdAsync(id, cancellationToken))
            {
                issued.Add(new TokenDto(
                    Guid.Parse((await tokens.GetIdAsync(token, cancellationToken))!),
                    ShortName(await tokens.GetTypeAsync(token, cancellationToken)),
                    await tokens.GetStatusAsync(token, cancellationToken) ?? "",
                    await tokens.GetCreationDateAsync(token, cancellationToken),
                    await tokens.GetExpirationDateAsync(token, cancellationToken)));
            }

            sessions.Add(new SessionDto(
                Guid.Parse(id),
                application is null ? "" : await applications.GetClientIdAsync(application, cancellationToken) ?? "",
                application is null ? "" : await applications.GetDisplayNameAsync(application, cancellationToken) ?? "",
                await authorizations.GetStatusAsync(authorization, cancellationToken) ?? "",
                await authorizations.GetCreationDateAsync(authorization, cancellationToken),
                [.. await authorizations.GetScopesAsync(authorization, cancellationToken)],
                [.. issued.OrderByDescending(t => t.CreatedAt)]));
        }

        return [.. sessions.OrderByDescending(s => s.CreatedAt)];
    }

    /// <summary>"urn:ietf:params:oauth:token-type:refresh_token" → "refresh_token".</summary>
    private static string ShortName(string? tokenType) => tokenType?[(tokenType.LastIndexOf(':') + 1)..] ?? "";
}

public sealed class RevokeUserSessionsHandler(UserManager<User> users, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens)
    : ICommandHandler<RevokeUserSessions, int>
{
    public async ValueTask<int> Handle(RevokeUserSessions command, CancellationToken cancellationToken) =>
        await authorizations.RevokeSessionsAsync(tokens, await users.GetAsync(command.UserId), command.SessionId, cancellationToken);
}

/// <summary>What the user handlers share: finding a user, describing one, ending their sessions.</summary>
internal static class UserAccountsExtensions
{
    public static async Task<User> GetAsync(this UserManager<User> users, Guid id) =>
        await users.FindByIdAsync(id.ToString()) ?? throw new NotFoundException("User", id);

    public static async Task<UserDto> DescribeAsync(this IdentityDbContext db, UserManager<User> users, User user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.UserId == user.Id).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);
        var summary = user.ToSummary(now);
        return new UserDto(
            user.Id, summary.Email, user.DisplayName, user.EmailConfirmed, user.TwoFactorEnabled, summary.LockedOutUntil, user.AccessFailedCount,
            user.CreatedAt, [.. await users.GetRolesAsync(user)], [.. memberships.Select(m => new MembershipDto(m.TenantId, m.Roles, m.CreatedAt))]);
    }

    /// <summary>Revokes one authorization (session) with its tokens, or all of the user's; returns how many sessions.</summary>
    public static async Task<int> RevokeSessionsAsync(
        this IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, User user, Guid? sessionId, CancellationToken cancellationToken)
    {
        var subject = user.Id.ToString();
        if (sessionId is null)
        {
            await tokens.RevokeBySubjectAsync(subject, cancellationToken);
            return (int)await authorizations.RevokeBySubjectAsync(subject, cancellationToken);
        }

        var authorization = await authorizations.FindByIdAsync(sessionId.Value.ToString(), cancellationToken);
        if (authorization is null || await authorizations.GetSubjectAsync(authorization, cancellationToken) != subject)
        {
            throw new NotFoundException("Session", sessionId.Value); // another user's session is not this user's to revoke
        }

        await authorizations.TryRevokeAsync(authorization, cancellationToken);
        await tokens.RevokeByAuthorizationIdAsync(sessionId.Value.ToString(), cancellationToken);
        return 1;
    }

    public static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new ConflictException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}

internal static class UserMapping
{
    public static UserSummaryDto ToSummary(this User user, DateTimeOffset now) => new(
        user.Id, user.Email ?? "", user.DisplayName, user.EmailConfirmed, user.TwoFactorEnabled,
        user.LockoutEnd is { } end && end > now ? end : null, user.CreatedAt);
}
