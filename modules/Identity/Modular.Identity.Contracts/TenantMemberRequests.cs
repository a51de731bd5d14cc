using Mediator;

namespace Modular.Identity.Contracts;

// The caller's own tenant: every request here acts in the tenant of the caller's scope (from its token), never in
// one named by the request, so a tenant's admin cannot reach another tenant's members or roles.

/// <summary>The tenant's members with their roles, oldest first; <paramref name="Search"/> matches email or name.</summary>
public sealed record ListTenantMembers(int Page = 1, int PageSize = 20, string? Search = null) : IQuery<TenantMemberPage>;

/// <summary>Replaces a member's roles (built-in or the tenant's own). The caller must hold what the old and new roles grant.</summary>
public sealed record ChangeMemberRoles(Guid UserId, IReadOnlyList<string> Roles) : ICommand<TenantMemberDto>;

/// <summary>Takes a member out of the tenant and ends their sessions there. The caller must hold what the member's roles grant.</summary>
public sealed record RemoveTenantMember(Guid UserId) : ICommand;

/// <summary>The caller leaves the tenant (not as its last owner).</summary>
public sealed record LeaveTenant : ICommand;

/// <summary>The calling owner makes <paramref name="UserId"/> (a member) an owner and steps down to tenant admin.</summary>
public sealed record TransferOwnership(Guid UserId) : ICommand<TenantMemberDto>;

public sealed record TenantMemberDto(Guid UserId, string Email, string DisplayName, IReadOnlyList<string> Roles, DateTimeOffset JoinedAt);

public sealed record TenantMemberPage(IReadOnlyList<TenantMemberDto> Items, int Page, int PageSize, int Total);

/// <summary>The built-in roles and the tenant's own, with what custom roles may be made of.</summary>
public sealed record ListTenantRoles : IQuery<TenantRoleList>;

/// <summary>A custom role: a name the tenant chooses and permissions from the assignable catalogue, all held by the caller.</summary>
public sealed record CreateTenantRole(string Name, string? Description, IReadOnlyList<string> Permissions) : ICommand<TenantRoleDto>;

/// <summary>Changes a custom role; members holding it lose their sessions in the tenant when a permission is taken away.</summary>
public sealed record UpdateTenantRole(string Name, string? Description, IReadOnlyList<string> Permissions) : ICommand<TenantRoleDto>;

/// <summary>Deletes a custom role: its members lose it (keeping <c>member</c> if it was their only role) and their sessions in the tenant.</summary>
public sealed record DeleteTenantRole(string Name) : ICommand;

/// <param name="BuiltIn">Defined by the platform's configuration (owner, tenant-admin, member...), not changeable by the tenant.</param>
public sealed record TenantRoleDto(string Name, string? Description, IReadOnlyList<string> Permissions, bool BuiltIn);

/// <param name="AssignablePermissions">What the modules let a tenant hand out: the permissions they grant tenant admins and members.</param>
public sealed record TenantRoleList(IReadOnlyList<TenantRoleDto> Roles, IReadOnlyList<string> AssignablePermissions);

/// <summary>The tenants the signed-in user belongs to, with their roles in each: what a tenant switcher offers.</summary>
public sealed record ListMyTenants : IQuery<IReadOnlyList<MyTenantDto>>;

/// <summary>One of the caller's tenants; <see cref="Preferred"/> marks the one chosen last (a token asked without a tenant gets it).</summary>
public sealed record MyTenantDto(Guid Id, string Slug, IReadOnlyList<string> Roles, bool Preferred);
