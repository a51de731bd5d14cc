using System.Security.Claims;

namespace Modular.Kernel.Tenancy;

/// <summary>What the kernel knows of a tenant: enough to scope data and to refuse a suspended one.</summary>
public sealed record TenantInfo(Guid Id, string Slug, string Plan, bool IsSuspended);

/// <summary>
/// Whose data the current unit of work may see. Every tenant-owned row is filtered by it (EF query
/// filter, and row-level security on PostgreSQL); outside a tenant scope no tenant-owned row is seen
/// or written, unless the scope was explicitly widened to all tenants by platform code.
/// </summary>
public interface ITenantContext
{
    /// <summary>The tenant in scope, or null.</summary>
    TenantInfo? Tenant { get; }

    /// <summary>Platform code that works across tenants on purpose (admin console, purge jobs).</summary>
    bool IsAllTenants { get; }
}

/// <summary>
/// The scoped, settable <see cref="ITenantContext"/>: the request pipeline sets it from the caller's
/// token; background work sets it explicitly before touching tenant data.
/// </summary>
public sealed class TenantScope : ITenantContext
{
    public TenantInfo? Tenant { get; private set; }

    public bool IsAllTenants { get; private set; }

    /// <summary>Scopes this unit of work to <paramref name="tenant"/>.</summary>
    public void Enter(TenantInfo tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        Tenant = tenant;
        IsAllTenants = false;
    }

    /// <summary>Leaves any tenant (or all of them): no tenant-owned row is seen until one is entered.</summary>
    public void Leave()
    {
        Tenant = null;
        IsAllTenants = false;
    }

    /// <summary>Widens this unit of work to every tenant; for platform-level code only.</summary>
    public void EnterAllTenants()
    {
        Tenant = null;
        IsAllTenants = true;
    }
}

/// <summary>
/// Implemented by the tenants module: looks a tenant up by id or slug (cached). The kernel resolves
/// the request's tenant through it without knowing the module.
/// </summary>
public interface ITenantDirectory
{
    ValueTask<TenantInfo?> FindAsync(string idOrSlug, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by the identity module: whether a signed-in caller (a user, or a client acting for itself) still
/// belongs to a tenant, looked up (cached for <c>Tenancy:CacheDuration</c>, forgotten on the
/// instance where a membership changes) instead of believed from its token's <c>tenant</c> claim, so that a removed
/// member or a moved client is refused while its token lives. Without one, only platform admins enter a tenant.
/// </summary>
public interface IMembershipDirectory
{
    ValueTask<bool> IsMemberAsync(ClaimsPrincipal caller, TenantInfo tenant, CancellationToken cancellationToken);
}

/// <summary>A row that belongs to one tenant. Its module's context filters and guards it by <see cref="ITenantContext"/>.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; }
}

/// <summary>A tenant-owned row was written outside its tenant's scope.</summary>
public sealed class TenantScopeViolationException(string message) : InvalidOperationException(message);
