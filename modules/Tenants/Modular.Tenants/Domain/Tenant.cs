using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;

namespace Modular.Tenants.Domain;

public enum TenantStatus
{
    Active,
    Suspended,
    PendingDeletion,
    Deleted,

    /// <summary>Created by a sign-up and waiting for its owner to confirm their email; serves nobody meanwhile.</summary>
    PendingActivation,
}

/// <summary>
/// A customer organisation of the platform. Every tenant-owned row elsewhere points at its id.
/// Each change bumps <see cref="Version"/>, the optimistic concurrency token: of two concurrent
/// changes, one commits and the other gets 409.
/// </summary>
[PlatformWide("The tenant itself: the directory every module resolves tenants from.")]
public sealed class Tenant
{
    public const int SlugMaxLength = 63; // a DNS label, so the slug can be a subdomain
    public const int NameMaxLength = 200;
    public const int PlanMaxLength = 64;
    public const int ReasonMaxLength = 500;
    public const string DefaultPlan = "free";

    private Tenant()
    {
    }

    public Guid Id { get; private set; }

    public string Slug { get; private set; } = "";

    public string Name { get; private set; } = "";

    public string Plan { get; private set; } = DefaultPlan;

    public TenantStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? SuspendedAt { get; private set; }

    public string? SuspensionReason { get; private set; }

    public DateTimeOffset? PurgeAfter { get; private set; }

    public Dictionary<string, string> Metadata { get; private set; } = [];

    public int Version { get; private set; }

    public static Tenant Create(
        string slug, string name, string? plan, IReadOnlyDictionary<string, string>? metadata, DateTimeOffset now, bool pendingActivation = false) => new()
        {
            Id = Guid.CreateVersion7(now),
            Slug = slug,
            Name = name.Trim(),
            Plan = string.IsNullOrWhiteSpace(plan) ? DefaultPlan : plan,
            Status = pendingActivation ? TenantStatus.PendingActivation : TenantStatus.Active,
            CreatedAt = now,
            Metadata = metadata is null ? [] : new Dictionary<string, string>(metadata),
            Version = 1,
        };

    public void Rename(string name)
    {
        EnsureNotDeleted();
        Name = name.Trim();
        Version++;
    }

    /// <summary>A new slug, checked free and allowed by the caller; the id stays, so nothing that points at the tenant breaks.</summary>
    public void ChangeSlug(string slug)
    {
        EnsureNotDeleted();
        Slug = slug;
        Version++;
    }

    public void ChangePlan(string plan)
    {
        EnsureNotDeleted();
        Plan = plan;
        Version++;
    }

    public void ReplaceMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        EnsureNotDeleted();
        Metadata = new Dictionary<string, string>(metadata);
        Version++;
    }

    /// <summary>The owner confirmed: the tenant starts serving.</summary>
    public void Activate()
    {
        if (Status != TenantStatus.PendingActivation)
        {
            throw new ConflictException($"Only a tenant pending activation can be activated; '{Slug}' is {Status}.");
        }

        Status = TenantStatus.Active;
        Version++;
    }

    /// <summary>Whether nobody ever confirmed this tenant within <paramref name="window"/>: it is dropped, and its slug freed.</summary>
    public bool ActivationExpired(TimeSpan window, DateTimeOffset now) => Status == TenantStatus.PendingActivation && CreatedAt + window <= now;

    public void Suspend(string reason, DateTimeOffset now)
    {
        if (Status != TenantStatus.Active)
        {
            throw new ConflictException($"Only an active tenant can be suspended; '{Slug}' is {Status}.");
        }

        Status = TenantStatus.Suspended;
        SuspendedAt = now;
        SuspensionReason = reason.Trim();
        Version++;
    }

    public void Reactivate()
    {
        if (Status is not (TenantStatus.Suspended or TenantStatus.PendingDeletion))
        {
            throw new ConflictException($"Only a suspended tenant or one pending deletion can be reactivated; '{Slug}' is {Status}.");
        }

        Status = TenantStatus.Active;
        SuspendedAt = null;
        SuspensionReason = null;
        PurgeAfter = null;
        Version++;
    }

    public void ScheduleDeletion(TimeSpan retention, DateTimeOffset now)
    {
        EnsureNotDeleted();
        if (Status == TenantStatus.PendingDeletion)
        {
            throw new ConflictException($"Tenant '{Slug}' is already scheduled for deletion.");
        }

        Status = TenantStatus.PendingDeletion;
        SuspendedAt ??= now;
        SuspensionReason ??= "Scheduled for deletion";
        PurgeAfter = now + retention;
        Version++;
    }

    /// <summary>
    /// Ends the tenant. The row stays as a tombstone so its id and slug are never reused — except for a tenant
    /// never activated, which nobody used: its row goes (the caller removes it), so a slug cannot be squatted.
    /// </summary>
    public void Purge(DateTimeOffset now, TimeSpan activationWindow)
    {
        if (ActivationExpired(activationWindow, now))
        {
            Status = TenantStatus.Deleted;
            Version++;
            return;
        }

        if (Status != TenantStatus.PendingDeletion || PurgeAfter > now)
        {
            throw new ConflictException($"Tenant '{Slug}' can be purged only after its retention period.");
        }

        Status = TenantStatus.Deleted;
        Name = "(deleted)";
        Metadata = [];
        SuspensionReason = null;
        Version++;
    }

    /// <summary>Suspended, pending-deletion and not yet activated tenants cannot use the platform.</summary>
    public bool IsSuspended => Status != TenantStatus.Active;

    private void EnsureNotDeleted()
    {
        if (Status == TenantStatus.Deleted)
        {
            throw new ConflictException($"Tenant '{Slug}' has been deleted.");
        }
    }
}
