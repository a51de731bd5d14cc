using Microsoft.EntityFrameworkCore;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases;

/// <summary>Per-endpoint success rate over attempts: of the last 7 days (the lists'), or of any span (an endpoint's days).</summary>
internal static class EndpointStats
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    public static Task<Dictionary<Guid, WebhookEndpointStats>> ForAsync(WebhooksDbContext db, List<Guid> endpointIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        BetweenAsync(db, endpointIds, now - Window, DateTimeOffset.MaxValue, cancellationToken);

    /// <summary>The attempts made from <paramref name="since"/> up to (not including) <paramref name="until"/>.</summary>
    public static async Task<Dictionary<Guid, WebhookEndpointStats>> BetweenAsync(
        WebhooksDbContext db, List<Guid> endpointIds, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var counts = await db.Attempts.AsNoTracking()
            .Where(a => endpointIds.Contains(a.EndpointId) && a.AttemptedAt >= since && a.AttemptedAt < until)
            .GroupBy(a => a.EndpointId)
            .Select(g => new { EndpointId = g.Key, Attempts = g.Count(), Succeeded = g.Count(a => a.ResponseStatus >= 200 && a.ResponseStatus < 300) })
            .ToListAsync(cancellationToken);
        return counts.ToDictionary(
            c => c.EndpointId,
            c => new WebhookEndpointStats(c.Attempts, c.Succeeded, c.Attempts == 0 ? null : (double)c.Succeeded / c.Attempts));
    }
}
