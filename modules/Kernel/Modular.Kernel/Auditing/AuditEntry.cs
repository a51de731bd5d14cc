using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Modular.Kernel.Tenancy;

namespace Modular.Kernel.Auditing;

/// <summary>
/// One append-only line of a tenant's audit trail: who did what to which target, when, from where.
/// Each tenant's entries form a hash chain (<see cref="Hash"/> covers the entry and the previous hash),
/// so editing or deleting a past entry is detectable with <see cref="AuditChain.FindBreak"/>.
/// </summary>
public sealed class AuditEntry : ITenantOwned
{
    /// <summary>
    /// The platform's own trail, beside the tenants': what operators do that concerns the platform as a whole (acting as
    /// a tenant's member, for one), written by platform code in the all-tenants scope. A chain like any tenant's, under
    /// an id no tenant has (tenants' ids are version-7 GUIDs; the empty one means "no tenant" and is refused).
    /// </summary>
    public static readonly Guid PlatformTrail = Guid.AllBitsSet;

    private const int ActorMaxLength = 200;

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    /// <summary>Position in the tenant's chain, from 1.</summary>
    public long Sequence { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public string Actor { get; private set; } = "";

    public string? ActorAddress { get; private set; }

    /// <summary>Past-tense, dotted: "tenant.suspended".</summary>
    public string Action { get; private set; } = "";

    /// <summary>What was acted on: "tenant/{id}", "flag/{key}".</summary>
    public string Target { get; private set; } = "";

    /// <summary>Details as JSON (old and new values, a reason).</summary>
    public string Data { get; private set; } = "{}";

    public string PreviousHash { get; private set; } = "";

    public string Hash { get; private set; } = "";

    internal static AuditEntry Create(Guid tenantId, ICaller caller, string action, string target, string data, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        OccurredAt = now,
        Actor = caller.Actor is { Length: > ActorMaxLength } actor ? actor[..ActorMaxLength] : caller.Actor, // never lose the entry for a long name
        ActorAddress = caller.Address,
        Action = action,
        Target = target,
        Data = data,
    };

    /// <summary>Links this entry after <paramref name="previous"/> (null for a tenant's first entry).</summary>
    internal void Chain(long previousSequence, string previousHash)
    {
        Sequence = previousSequence + 1;
        PreviousHash = previousHash;
        Hash = ComputeHash();
    }

    internal string ComputeHash()
    {
        var canonical = string.Join('\n',
            PreviousHash, Sequence, TenantId, OccurredAt.UtcTicks, Actor, ActorAddress ?? "", Action, Target, Data);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    internal static void Configure(EntityTypeBuilder<AuditEntry> audit)
    {
        audit.ToTable("audit_entries");
        audit.HasKey(e => e.Id);
        audit.HasIndex(e => new { e.TenantId, e.Sequence }).IsUnique();
        audit.Property(e => e.Actor).HasMaxLength(ActorMaxLength);
        audit.Property(e => e.ActorAddress).HasMaxLength(64);
        audit.Property(e => e.Action).HasMaxLength(100);
        audit.Property(e => e.Target).HasMaxLength(200);
        audit.Property(e => e.PreviousHash).HasMaxLength(64);
        audit.Property(e => e.Hash).HasMaxLength(64);
    }
}

public static class AuditChain
{
    /// <summary>
    /// Walks one tenant's entries in sequence order and returns the sequence of the first entry that
    /// does not hold (altered, missing, reordered), or null when the whole chain holds.
    /// </summary>
    public static long? FindBreak(IEnumerable<AuditEntry> entriesInOrder)
    {
        var expectedSequence = 1L;
        var previousHash = "";
        foreach (var entry in entriesInOrder)
        {
            if (entry.Sequence != expectedSequence || entry.PreviousHash != previousHash || entry.Hash != entry.ComputeHash())
            {
                return expectedSequence;
            }

            previousHash = entry.Hash;
            expectedSequence++;
        }

        return null;
    }

    /// <summary>Reads one tenant's trail, oldest first, bypassing nothing: the caller's scope must allow it.</summary>
    public static IQueryable<AuditEntry> Trail(this DbSet<AuditEntry> entries, Guid tenantId) =>
        entries.AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.Sequence);
}
