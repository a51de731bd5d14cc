using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.Features.RecordUsage;

/// <summary>Folds newly stored events into per-minute rollup deltas, one per (meter, minute, subject, dimensions).</summary>
internal static class UsageRollups
{
    public static (List<MeterRollup> Rollups, List<MeterDistinctValue> Distinct) Of(
        IEnumerable<StoredUsageEvent> stored, IReadOnlyDictionary<Guid, List<(Meter Meter, MeterReading Reading)>> readings)
    {
        var rollups = new Dictionary<(Guid Meter, DateTimeOffset Minute, string Subject, string Dimensions), MeterRollup>();
        var distinct = new HashSet<(Guid Meter, DateTimeOffset Minute, string Subject, string Dimensions, string Value)>();
        Guid tenantId = default;
        foreach (var e in stored)
        {
            tenantId = e.TenantId;
            var minute = MinuteOf(e.Time);
            foreach (var (meter, reading) in readings[e.Id].Where(r => r.Reading.IsValid))
            {
                var key = (meter.Id, minute, e.Subject, reading.Dimensions);
                if (meter.Aggregation == MeterAggregations.UniqueCount)
                {
                    distinct.Add((meter.Id, minute, e.Subject, reading.Dimensions, reading.DistinctValue!));
                }

                rollups[key] = rollups.TryGetValue(key, out var so) ? Add(so, e.Time, reading.Value) : new MeterRollup
                {
                    TenantId = e.TenantId,
                    MeterId = meter.Id,
                    Minute = minute,
                    Subject = e.Subject,
                    Dimensions = reading.Dimensions,
                    Count = 1,
                    Sum = reading.Value,
                    Min = reading.Value,
                    Max = reading.Value,
                    LatestTime = e.Time,
                    LatestValue = reading.Value,
                };
            }
        }

        // A fixed order, so two writers touching the same rollups lock them in the same order (no deadlock).
        var orderedRollups = rollups.OrderBy(r => r.Key.Meter).ThenBy(r => r.Key.Minute).ThenBy(r => r.Key.Subject, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Dimensions, StringComparer.Ordinal).Select(r => r.Value).ToList();
        var distinctValues = distinct.Select(d => new MeterDistinctValue
        {
            TenantId = tenantId,
            MeterId = d.Meter,
            Minute = d.Minute,
            Subject = d.Subject,
            Dimensions = d.Dimensions,
            Value = d.Value,
        }).ToList();
        return (orderedRollups, distinctValues);
    }

    public static DateTimeOffset MinuteOf(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private static MeterRollup Add(MeterRollup so, DateTimeOffset time, double value) => new()
    {
        TenantId = so.TenantId,
        MeterId = so.MeterId,
        Minute = so.Minute,
        Subject = so.Subject,
        Dimensions = so.Dimensions,
        Count = so.Count + 1,
        Sum = so.Sum + value,
        Min = Math.Min(so.Min, value),
        Max = Math.Max(so.Max, value),
        LatestTime = time >= so.LatestTime ? time : so.LatestTime,
        LatestValue = time >= so.LatestTime ? value : so.LatestValue,
    };
}
