using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.GetUsageDigest;

public sealed class GetUsageDigestHandler(MeteringDbContext db, TimeProvider clock) : IQueryHandler<Contracts.GetUsageDigest, UsageDigest>
{
    public async ValueTask<UsageDigest> Handle(Contracts.GetUsageDigest query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var dayAgo = now.AddDays(-1);
        var events = db.UsageEvents.AsNoTracking();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var perDay = new List<DailyEventCount>();
        // One range count a day: a range on the received time translates on both providers (a GROUP BY on a day does not).
        foreach (var day in Enumerable.Range(0, Math.Clamp(query.Days, 1, 90)).Select(back => today.AddDays(-back)).Reverse())
        {
            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var until = from.AddDays(1);
            perDay.Add(new DailyEventCount(day, await events.CountAsync(e => e.ReceivedAt >= from && e.ReceivedAt < until, cancellationToken)));
        }

        return new UsageDigest(
            await events.CountAsync(e => e.Status == UsageEventStatuses.Invalid && e.ReceivedAt >= dayAgo, cancellationToken),
            await events.CountAsync(e => e.Status == UsageEventStatuses.Unmatched && e.ReceivedAt >= dayAgo, cancellationToken),
            perDay);
    }
}
