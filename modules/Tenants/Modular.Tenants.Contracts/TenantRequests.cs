using Mediator;

namespace Modular.Tenants.Contracts;

/// <summary>Creates a tenant and runs every module's provisioning step; all or nothing.</summary>
/// <param name="Slug">Unique, URL-safe key; also usable as a subdomain; not one of the reserved words.</param>
/// <param name="PendingActivation">
/// The tenant serves nobody until <see cref="ActivateTenant"/> (a sign-up waiting for its owner's email), and is dropped
/// if not activated in time (<c>Tenants:ActivationWindow</c>).
/// </param>
public sealed record CreateTenant(
    string Slug, string Name, string? Plan = null, IReadOnlyDictionary<string, string>? Metadata = null, bool PendingActivation = false)
    : ICommand<TenantDto>;

/// <summary>Starts serving a tenant created pending activation.</summary>
public sealed record ActivateTenant(Guid Id) : ICommand<TenantDto>;

/// <summary>
/// Whether a slug can be taken, for forms that check as the visitor types: <paramref name="Slug"/>, or one derived from
/// <paramref name="Name"/> when no slug is given. Never says more than taken / reserved / invalid.
/// </summary>
public sealed record CheckTenantSlug(string? Slug = null, string? Name = null) : IQuery<SlugAvailability>;

/// <param name="Slug">The slug checked (derived from the name when none was given).</param>
/// <param name="Reason">Why not: <c>taken</c>, <c>reserved</c> or <c>invalid</c>; null when available.</param>
/// <param name="Suggestion">A free slug close to it (itself when available); null when none was found.</param>
public sealed record SlugAvailability(string Slug, bool Available, string? Reason, string? Suggestion);

/// <summary>Changes what is given; <paramref name="ExpectedVersion"/>, when given, must be the tenant's current version.</summary>
public sealed record UpdateTenant(Guid Id, string? Name = null, string? Plan = null, IReadOnlyDictionary<string, string>? Metadata = null, int? ExpectedVersion = null)
    : ICommand<TenantDto>;

/// <summary>
/// The tenant in the caller's scope, as its own admins change it: what is given. A new <paramref name="Slug"/> follows the
/// sign-up rules (format, reserved words) and must be free; <paramref name="ExpectedVersion"/>, when given, must be current.
/// </summary>
public sealed record UpdateTenantSettings(string? Name = null, string? Slug = null, int? ExpectedVersion = null) : ICommand<TenantDto>;

/// <summary>Stops the tenant's use of the platform (its tokens are refused); its data stays.</summary>
public sealed record SuspendTenant(Guid Id, string Reason) : ICommand<TenantDto>;

/// <summary>Ends a suspension, or cancels a scheduled deletion.</summary>
public sealed record ReactivateTenant(Guid Id) : ICommand<TenantDto>;

/// <summary>Suspends the tenant now and purges it after the retention period.</summary>
public sealed record ScheduleTenantDeletion(Guid Id, int RetentionDays = 30) : ICommand<TenantDto>;

/// <summary>Purges a tenant whose retention period is over (run by the purge job).</summary>
public sealed record PurgeTenant(Guid Id) : ICommand<TenantDto>;

public sealed record GetTenant(Guid Id) : IQuery<TenantDto>;

/// <summary>The tenant of the caller's scope.</summary>
public sealed record GetCurrentTenant : IQuery<TenantDto>;

/// <summary>One page of tenants, newest first; <paramref name="Search"/> matches slug or name.</summary>
/// <summary>
/// The names of <paramref name="Ids"/>' tenants, for a page that shows rows of several (at most 1,000 at once); an id of
/// no tenant is left out.
/// </summary>
public sealed record NameTenants(IReadOnlyCollection<Guid> Ids) : IQuery<IReadOnlyDictionary<Guid, string>>;

public sealed record ListTenants(int Page = 1, int PageSize = 20, string? Search = null, string? Status = null) : IQuery<TenantPage>;

/// <summary>A tenant's audit trail, oldest first, and whether its hash chain holds.</summary>
public sealed record GetTenantAuditTrail(Guid TenantId) : IQuery<AuditTrailDto>;

/// <summary>
/// One page of the current tenant's audit trail across every module that keeps one, newest first;
/// <paramref name="Action"/> keeps only entries of that action, <paramref name="Search"/> those whose actor, address,
/// target or data contain the text (in any case), <paramref name="Since"/> those that happened at or after it.
/// </summary>
public sealed record GetOrganizationAuditLog(string? Action = null, int Page = 1, int PageSize = 25, string? Search = null, DateTimeOffset? Since = null)
    : IQuery<OrganizationAuditLog>;

/// <summary>One entry of the current tenant's audit trail.</summary>
public sealed record GetAuditEntry(Guid EntryId) : IQuery<AuditEntryDto>;

public sealed record TenantDto(
    Guid Id,
    string Slug,
    string Name,
    string Plan,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SuspendedAt,
    string? SuspensionReason,
    DateTimeOffset? PurgeAfter,
    IReadOnlyDictionary<string, string> Metadata,
    int Version);

public sealed record TenantPage(IReadOnlyList<TenantDto> Items, int Page, int PageSize, int Total);

public sealed record AuditEntryDto(Guid Id, long Sequence, DateTimeOffset OccurredAt, string Actor, string? ActorAddress, string Action, string Target, string Data);

/// <param name="Items">The page's entries, each labelled with the module whose trail holds it.</param>
/// <param name="Actions">Every action the trail holds, for a filter.</param>
/// <param name="Chains">Each module's hash chain, checked whole.</param>
public sealed record OrganizationAuditLog(
    IReadOnlyList<ModuleAuditEntryDto> Items, int Page, int PageSize, int Total, IReadOnlyList<string> Actions, IReadOnlyList<AuditChainDto> Chains);

/// <param name="TargetName">What the entry's target is called now ("user:…" → the person's address), or null when nothing names
/// it (a tenant's own entries, or a thing since deleted).</param>
public sealed record ModuleAuditEntryDto(string Module, AuditEntryDto Entry, string? TargetName = null);

/// <summary>One module's chain of the tenant's entries: whether it holds, and where it first breaks.</summary>
public sealed record AuditChainDto(string Module, int Entries, bool Intact, long? FirstBrokenSequence);

public sealed record AuditTrailDto(Guid TenantId, IReadOnlyList<AuditEntryDto> Entries, bool ChainIntact, long? FirstBrokenSequence);

/// <summary>Tenant statuses, as they appear in <see cref="TenantDto.Status"/>.</summary>
public static class TenantStatuses
{
    public const string Active = "Active";
    public const string Suspended = "Suspended";
    public const string PendingDeletion = "PendingDeletion";
    public const string Deleted = "Deleted";
    public const string PendingActivation = "PendingActivation";

    public static readonly IReadOnlyList<string> All = [Active, Suspended, PendingDeletion, Deleted, PendingActivation];
}

/// <summary>What the console's dashboard says about tenants: how many in each status, and the newest audit entries of every module.</summary>
public sealed record GetTenantsOverview(int RecentEntries = 8) : IQuery<TenantsOverview>;

/// <param name="ByStatus">Tenants per <see cref="TenantStatuses"/> value (deleted ones left out).</param>
public sealed record TenantsOverview(IReadOnlyDictionary<string, int> ByStatus, IReadOnlyList<RecentAuditEntryDto> RecentAudit);

/// <param name="Module">The module that recorded it ("tenants", "identity"...).</param>
/// <param name="TenantId">Null for an entry about the platform, not one tenant.</param>
public sealed record RecentAuditEntryDto(string Module, Guid? TenantId, string? TenantName, string Action, string Actor, DateTimeOffset OccurredAt);
