using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Auditing;

/// <summary>
/// A tenant's audit trail as a whole: every module keeps its own chain, in its own schema (its own file on SQLite), so
/// that each commits its entries with its own change; this reads them all, from every module context registered
/// (<see cref="ModuleDatabase.AddModuleDbContext{TContext}"/> registers each as a <see cref="ModuleDbContext"/>), so a
/// module that audits shows up without knowing this exists. It reads in the caller's scope: the tenant filter and
/// PostgreSQL's row-level security decide what may be read, as for any query.
/// </summary>
public sealed class TenantAuditTrails(IEnumerable<ModuleDbContext> modules)
{
    /// <summary>Each module's trail of <paramref name="tenantId"/>, oldest first, its chain checked whole.</summary>
    public async Task<IReadOnlyList<ModuleAuditTrail>> ReadAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var trails = new List<ModuleAuditTrail>();
        foreach (var module in modules)
        {
            var entries = await module.AuditEntries.Trail(tenantId).ToListAsync(cancellationToken);
            trails.Add(new ModuleAuditTrail(module.Schema, entries, AuditChain.FindBreak(entries)));
        }

        return trails;
    }

    /// <summary>The <paramref name="count"/> newest entries of every module's trail together, newest first, labelled by module.</summary>
    public async Task<IReadOnlyList<(string Module, AuditEntry Entry)>> ReadRecentAsync(int count, CancellationToken cancellationToken)
    {
        var recent = new List<(string, AuditEntry)>();
        foreach (var module in modules)
        {
            // v7 ids: newest first along the primary key, where a sort on the time would read the whole table.
            var entries = await module.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);
            recent.AddRange(entries.Select(e => (module.Schema, e)));
        }

        return [.. recent.OrderByDescending(r => r.Item2.OccurredAt).Take(count)];
    }
}

/// <param name="Module">The module's schema name ("tenants", "identity"), which labels its entries.</param>
/// <param name="FirstBrokenSequence">Where the module's chain first fails to hold; null when it holds.</param>
public sealed record ModuleAuditTrail(string Module, IReadOnlyList<AuditEntry> Entries, long? FirstBrokenSequence);
