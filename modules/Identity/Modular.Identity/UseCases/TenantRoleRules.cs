using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Errors;

namespace Modular.Identity.UseCases;

/// <summary>What a tenant's custom role may be called and made of, and how the role use cases find and answer one.</summary>
internal static class TenantRoleRules
{
    public static IRuleBuilderOptions<T, string> RoleName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(TenantRole.NameMaxLength).Matches(TenantRole.NamePattern)
            .WithMessage("A role name uses lower-case letters, digits and hyphens, starting with a letter.");

    /// <summary>Only what the modules let tenants hand out (never <c>platform.*</c>, never the owners' own permission).</summary>
    public static IRuleBuilderOptions<T, string> Assignable<T>(this IRuleBuilder<T, string> rule, RoleGrants grants) =>
        rule.Must(grants.AssignablePermissions.Contains).WithMessage($"A tenant role is made of {string.Join(", ", grants.AssignablePermissions)}.");

    public static IRuleBuilderOptions<T, IReadOnlyList<string>> PermissionCount<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule) =>
        rule.Must(p => p.Count <= TenantRole.MaxPermissions).WithMessage($"A role holds at most {TenantRole.MaxPermissions} permissions.");

    /// <summary>One of the tenant's own roles; a built-in one is the platform's to change (409), anything else is 404.</summary>
    public static async Task<TenantRole> GetCustomRoleAsync(this IdentityDbContext db, RoleGrants grants, Guid tenantId, string name, CancellationToken cancellationToken)
    {
        if (grants.IsBuiltIn(name))
        {
            throw new ConflictException($"'{name}' is a built-in role: the platform's configuration defines it, not the tenant.");
        }

        return await db.TenantRoles.FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Name == name, cancellationToken)
            ?? throw new NotFoundException("Role", name);
    }

    /// <summary>The members of <paramref name="tenantId"/> holding <paramref name="role"/> (tracked: the caller may change them).</summary>
    public static Task<List<Membership>> HoldersAsync(this IdentityDbContext db, Guid tenantId, string role, CancellationToken cancellationToken) =>
        db.Memberships.Where(m => m.TenantId == tenantId && m.Roles.Contains(role)).ToListAsync(cancellationToken);

    public static TenantRoleDto ToDto(this TenantRole role) => new(role.Name, role.Description, role.Permissions, BuiltIn: false);
}
