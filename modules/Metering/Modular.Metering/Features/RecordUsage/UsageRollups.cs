using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.Features.RecordUsage;

/// <summary>
/// Folds newly stored events into rollup deltas: one per (meter, minute, subject, dimensions) and one per
/// (meter, hour, subject, dimensions), so both levels stay exact as events arrive.
/// </summary>
internal static class UsageRollups
{
    private static readonly int[] Periods = [MeterRollup.Minute, MeterRollup.Hour];

    public static (List<MeterRollup> Rollups, List<MeterDistinctValue> Distinct) Of(
        IEnumerable<StoredUsageEvent> stored, IReadOnlyDictionary<Guid, List<(Meter Meter, MeterReading Reading)>> readings)
    {
        var rollups = new Dictionary<(int Period, Guid Meter, DateTimeOffset Start, string Subject, string Dimensions), MeterRollup>();
        var distinct = new HashSet<(Guid Meter, DateTimeOffset Minute, string Subject, string Dimensions, string Value)>();
        Guid tenantId = default;
        foreach (var e in stored)
        {
            tenantId = e.TenantId;
            foreach (var (meter, reading) in readings[e.Id].Where(r => r.Reading.IsValid))
            {
                if (meter.Aggregation == MeterAggregations.UniqueCount)
                {
                    distinct.Add((meter.Id, StartOf(e.Time, MeterRollup.Minute), e.Subject, reading.Dimensions, reading.DistinctValue!));
                }

                foreach (var period in Periods)
                {
                    var delta = new MeterRollup
                    {
                        TenantId = e.TenantId,
                        MeterId = meter.Id,
                        PeriodMinutes = period,
                        Start = StartOf(e.Time, period),
                        Subject = e.Subject,
                        Dimensions = reading.Dimensions,
                        Count = 1,
                        Sum = reading.Value,
                        Min = reading.Value,
                        Max = reading.Value,
                        LatestTime = e.Time,
                        LatestValue = reading.Value,
                    };
                    var key = (period, meter.Id, delta.Start, e.Subject, reading.Dimensions);
                    rollups[key] = rollups.TryGetValue(key, out var so) ? Merge(so, delta) : delta;
                }
            }
        }

        // A fixed order, so two writers touching the same rollups lock them in the same order (no deadlock).
        var orderedRollups = rollups.OrderBy(r => r.Key.Period).ThenBy(r => r.Key.Meter).ThenBy(r => r.Key.Start)
            .ThenBy(r => r.Key.Subject, StringComparer.Ordinal).ThenBy(r => r.Key.Dimensions, StringComparer.Ordinal)
            .Select(r => r.Value).ToList();
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

    /// <summary>The start of the UTC minute or hour holding <paramref name="time"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset time, int periodMinutes)
    {
        var ticks = TimeSpan.TicksPerMinute * periodMinutes;
        return new(time.UtcTicks - (time.UtcTicks % ticks), TimeSpan.Zero);
    }

    /// <summary>Two rollups of the same key as one; the later of the two latest values wins.</summary>
    public static MeterRollup Merge(MeterRollup so, MeterRollup more) => new()
    {
        TenantId = so.TenantId,
        MeterId = so.MeterId,
        PeriodMinutes = so.PeriodMinutes,
        Start = so.Start,
        Subject = so.Subject,
        Dimensions = so.Dimensions,
        Count = so.Count + more.Count,
        Sum = so.Sum + more.Sum,
        Min = Math.Min(so.Min, more.Min),
        Max = Math.Max(so.Max, more.Max),
        LatestTime = more.LatestTime >= so.LatestTime ? more.LatestTime : so.LatestTime,
        LatestValue = more.LatestTime >= so.LatestTime ? more.LatestValue : so.LatestValue,
    };
}
