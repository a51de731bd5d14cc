using Mediator;

namespace Modular.Tenants.Contracts;

// Published through the outbox once the change has committed. Modules react to them (create their
// per-tenant defaults, stop serving a suspended tenant, delete a purged tenant's data).

public sealed record TenantCreated(Guid TenantId, string Slug, string Name, string Plan, DateTimeOffset CreatedAt) : INotification;

/// <summary>A tenant created pending activation (a sign-up) was confirmed and now serves its members.</summary>
public sealed record TenantActivated(Guid TenantId, DateTimeOffset ActivatedAt) : INotification;

public sealed record TenantRenamed(Guid TenantId, string OldName, string NewName) : INotification;

/// <summary>The tenant's own admins gave it another slug; the old one is free for others from now on.</summary>
public sealed record TenantSlugChanged(Guid TenantId, string OldSlug, string NewSlug) : INotification;

public sealed record TenantPlanChanged(Guid TenantId, string OldPlan, string NewPlan) : INotification;

public sealed record TenantSuspended(Guid TenantId, string Reason, DateTimeOffset SuspendedAt) : INotification;

public sealed record TenantReactivated(Guid TenantId, DateTimeOffset ReactivatedAt) : INotification;

public sealed record TenantDeletionScheduled(Guid TenantId, DateTimeOffset PurgeAfter) : INotification;

/// <summary>The tenant is gone: every module deletes the tenant's data when it sees this.</summary>
public sealed record TenantPurged(Guid TenantId, DateTimeOffset PurgedAt) : INotification;
