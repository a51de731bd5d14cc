using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Deletes messages older than the retention period; their deliveries and attempts go with them (cascade). One instance
/// at a time: the others skip their round.
/// </summary>
internal sealed class WebhookRetention(IServiceScopeFactory scopes, ExclusiveWork exclusive, IOptions<WebhooksOptions> options, TimeProvider clock)
{
    private const long LockKey = 0x576562686f6f6b; // "Webhook": one key for the whole platform's webhook retention

    /// <summary>Returns how many messages were deleted (0 when another instance is at it).</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        await exclusive.RunAloneAsync(LockKey, async token => deleted = await PruneAloneAsync(token), cancellationToken);
        return deleted;
    }

    private async Task<int> PruneAloneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        var db = scope.ServiceProvider.GetRequiredService<WebhooksDbContext>();
        var cutoff = clock.GetUtcNow() - options.Value.Retention;

        // Attempts and deliveries first: cascades in the database cover them too, but SQLite enforces
        // them only with foreign keys on, and an explicit order keeps the deletes cheap and plain.
        var old = db.Messages.Where(m => m.CreatedAt < cutoff).Select(m => m.Id);
        await db.Attempts.Where(a => old.Contains(a.MessageId)).ExecuteDeleteAsync(cancellationToken);
        await db.Deliveries.Where(d => old.Contains(d.MessageId)).ExecuteDeleteAsync(cancellationToken);
        return await db.Messages.Where(m => m.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
