using Microsoft.EntityFrameworkCore;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases;

/// <summary>Per-endpoint success rate over the attempts of the last 7 days.</summary>
internal static class EndpointStats
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    public static async Task<Dictionary<Guid, WebhookEndpointStats>> ForAsync(WebhooksDbContext db, List<Guid> endpointIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - Window;
        var counts = await db.Attempts.AsNoTracking()
            .Where(a => endpointIds.Contains(a.EndpointId) && a.AttemptedAt >= since)
            .GroupBy(a => a.EndpointId)
            .Select(g => new { EndpointId = g.Key, Attempts = g.Count(), Succeeded = g.Count(a => a.ResponseStatus >= 200 && a.ResponseStatus < 300) })
            .ToListAsync(cancellationToken);
        return counts.ToDictionary(
            c => c.EndpointId,
            c => new WebhookEndpointStats(c.Attempts, c.Succeeded, c.Attempts == 0 ? null : (double)c.Succeeded / c.Attempts));
    }
}
