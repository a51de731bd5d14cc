using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Outbox;

/// <param name="Module">The module's schema name ("tenants", "webhooks").</param>
/// <param name="Pending">Events waiting to be published (a retry included).</param>
/// <param name="OldestPendingAt">When the oldest of them happened: how far behind the module is.</param>
/// <param name="GivenUp">Events that used up their attempts and wait for someone.</param>
public sealed record ModuleOutboxBacklog(string Module, int Pending, DateTimeOffset? OldestPendingAt, int GivenUp);

/// <summary>
/// How far behind each module's outbox is, read from every module context registered (as
/// <see cref="Auditing.TenantAuditTrails"/> reads their trails): what the console's dashboard shows.
/// </summary>
public sealed class OutboxBacklog(IEnumerable<ModuleDbContext> modules, IOptions<OutboxOptions> options)
{
    public async Task<IReadOnlyList<ModuleOutboxBacklog>> ReadAsync(CancellationToken cancellationToken)
    {
        var maxAttempts = options.Value.MaxAttempts;
        var backlog = new List<ModuleOutboxBacklog>();
        foreach (var module in modules)
        {
            var waiting = module.OutboxMessages.AsNoTracking().Where(m => m.ProcessedAt == null);
            var pending = waiting.Where(m => m.Attempts < maxAttempts);
            backlog.Add(new ModuleOutboxBacklog(
                module.Schema,
                await pending.CountAsync(cancellationToken),
                await pending.OrderBy(m => m.OccurredAt).Select(m => (DateTimeOffset?)m.OccurredAt).FirstOrDefaultAsync(cancellationToken),
                await waiting.CountAsync(m => m.Attempts >= maxAttempts, cancellationToken)));
        }

        return backlog;
    }
}
