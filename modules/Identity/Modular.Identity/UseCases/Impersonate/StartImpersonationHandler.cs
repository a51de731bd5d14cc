using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.UseCases.Impersonate;

/// <summary>
/// What an operator may act as: a member of one tenant, with that member's roles there and nothing of the platform's,
/// never another operator (acting as one would borrow nothing but blur who did what). Recorded before it is granted.
/// </summary>
public sealed class StartImpersonationHandler(
    IdentityDbContext db, UserManager<User> users, RoleGrants roles, TenantScope scope, ICaller caller, TimeProvider clock,
    IOptions<ImpersonationSettings> settings)
    : ICommandHandler<StartImpersonation, ImpersonationDto>
{
    public const int ReasonMaxLength = 500;

    public async ValueTask<ImpersonationDto> Handle(StartImpersonation command, CancellationToken cancellationToken)
    {
        if (caller.User?.HasPermission(PlatformPermissions.Admin) != true || caller.User.HasClaim(c => c.Type == ModularClaims.ImpersonatedBy))
        {
            throw new GrantNotHeldException("Only a platform admin, signed in as themselves, may act as a tenant's member.");
        }

        var user = await users.FindByIdAsync(command.UserId.ToString()) ?? throw new NotFoundException("User", command.UserId);
        if ((await users.GetRolesAsync(user)).Contains(IdentityRoles.PlatformAdmin))
        {
            throw new ConflictException("Operators are not impersonated: act as a tenant's member, not as another operator.");
        }

        scope.EnterAllTenants(); // the operator's console works across tenants; the membership below pins the one
        var membership = await db.Memberships.AsNoTracking()
            .FirstOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == command.TenantId, cancellationToken)
            ?? throw new NotFoundException("Membership", $"{command.UserId} in {command.TenantId}");

        var permissions = (await roles.PermissionsInTenantAsync(command.TenantId, membership.Roles, cancellationToken))
            .Where(p => !p.StartsWith(PlatformPermissions.Prefix, StringComparison.Ordinal)).ToList();
        var now = clock.GetUtcNow();
        var expiresAt = now + settings.Value.Lifetime;
        var entry = new { reason = command.Reason.Trim(), user = user.UserName, tenant = command.TenantId, expiresAt };
        db.Audit(command.TenantId, caller, "impersonation.started", $"user:{user.Id}", entry, now);
        db.Audit(AuditEntry.PlatformTrail, caller, "impersonation.started", $"user:{user.Id}", entry, now);
        await db.CommitAsync(cancellationToken);
        return new ImpersonationDto(user.Id, user.UserName ?? user.Email ?? user.Id.ToString(), user.Email, command.TenantId, membership.Roles, permissions, expiresAt);
    }
}

internal sealed class StartImpersonationValidator : AbstractValidator<StartImpersonation>
{
    public StartImpersonationValidator()
    {
        RuleFor(c => c.UserId).NotEmpty();
        RuleFor(c => c.TenantId).NotEmpty();
        RuleFor(c => c.Reason).Must(r => r.Trim().Length > 0).WithMessage("Say why: the tenant reads it in its audit trail.")
            .MaximumLength(StartImpersonationHandler.ReasonMaxLength);
    }
}

/// <summary>The caller's impersonation session ends: recorded where its start was.</summary>
public sealed class EndImpersonationHandler(IdentityDbContext db, TenantScope scope, ICaller caller, TimeProvider clock) : ICommandHandler<EndImpersonation>
{
    public async ValueTask<Unit> Handle(EndImpersonation command, CancellationToken cancellationToken)
    {
        var user = caller.User;
        if (user?.FindFirst(ModularClaims.ImpersonatedBy) is null || !Guid.TryParse(user.FindFirst(ModularClaims.Tenant)?.Value, out var tenantId))
        {
            return Unit.Value; // not an impersonation session: nothing to record
        }

        scope.EnterAllTenants(); // one entry in the tenant's trail, one in the platform's
        var now = clock.GetUtcNow();
        var target = $"user:{caller.UserId()}";
        db.Audit(tenantId, caller, "impersonation.ended", target, null, now);
        db.Audit(AuditEntry.PlatformTrail, caller, "impersonation.ended", target, null, now);
        await db.CommitAsync(cancellationToken);
        return Unit.Value;
    }
}
