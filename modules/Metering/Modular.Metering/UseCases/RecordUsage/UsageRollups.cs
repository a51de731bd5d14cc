using System.Runtime.InteropServices;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases.RecordUsage;

/// <summary>
/// Folds newly stored events into rollup deltas: one per (meter, minute, subject, dimensions) and one per
/// (meter, hour, subject, dimensions), so both levels stay exact as events arrive.
/// </summary>
internal static class UsageRollups
{
    /// <summary>A stored event and what each of its meters read from it.</summary>
    public sealed record Readings(StoredUsageEvent Event, IReadOnlyList<(Meter Meter, MeterReading Reading)> Meters);

    public static (List<MeterRollup> Rollups, List<MeterDistinctValue> Distinct) Of(IEnumerable<Readings> stored)
    {
        var minutes = new Dictionary<(Guid Meter, DateTimeOffset Start, string Subject, string Dimensions), MeterRollup>();
        var distinct = new HashSet<(Guid Meter, DateTimeOffset Minute, string Subject, string Dimensions, string Value)>();
        Guid tenantId = default;
        foreach (var (e, meters) in stored)
        {
            tenantId = e.TenantId;
            foreach (var (meter, reading) in meters)
            {
                if (!reading.IsValid)
                {
                    continue;
                }

                var minute = StartOf(e.Time, MeterRollup.Minute);
                if (meter.Aggregation == MeterAggregations.UniqueCount)
                {
                    distinct.Add((meter.Id, minute, e.Subject, reading.Dimensions, reading.DistinctValue!));
                }

                var delta = new MeterRollup
                {
                    TenantId = e.TenantId,
                    MeterId = meter.Id,
                    PeriodMinutes = MeterRollup.Minute,
                    Start = minute,
                    Subject = e.Subject,
                    Dimensions = reading.Dimensions,
                    Count = 1,
                    Sum = reading.Value,
                    Min = reading.Value,
                    Max = reading.Value,
                    LatestTime = e.Time,
                    LatestValue = reading.Value,
                };
                ref var rollup = ref CollectionsMarshal.GetValueRefOrAddDefault(minutes, (meter.Id, minute, e.Subject, reading.Dimensions), out var seen);
                rollup = seen ? Merge(rollup!, delta) : delta;
            }
        }

        // An hour is the fold of its minutes: fewer keys to hash than folding every event twice.
        var hours = new Dictionary<(Guid Meter, DateTimeOffset Start, string Subject, string Dimensions), MeterRollup>();
        foreach (var minute in minutes.Values)
        {
            var delta = AsHour(minute);
            ref var rollup = ref CollectionsMarshal.GetValueRefOrAddDefault(hours, (minute.MeterId, delta.Start, minute.Subject, minute.Dimensions), out var seen);
            rollup = seen ? Merge(rollup!, delta) : delta;
        }

        // A fixed order, so two writers touching the same rollups lock them in the same order (no deadlock).
        var orderedRollups = new List<MeterRollup>(minutes.Count + hours.Count);
        orderedRollups.AddRange(minutes.Values);
        orderedRollups.AddRange(hours.Values);
        orderedRollups.Sort(LockOrder);
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

    private static int LockOrder(MeterRollup a, MeterRollup b)
    {
        var order = a.PeriodMinutes.CompareTo(b.PeriodMinutes);
        order = order != 0 ? order : a.MeterId.CompareTo(b.MeterId);
        order = order != 0 ? order : a.Start.CompareTo(b.Start);
        order = order != 0 ? order : string.CompareOrdinal(a.Subject, b.Subject);
        return order != 0 ? order : string.CompareOrdinal(a.Dimensions, b.Dimensions);
    }

    private static MeterRollup AsHour(MeterRollup minute) => new()
    {
        TenantId = minute.TenantId,
        MeterId = minute.MeterId,
        PeriodMinutes = MeterRollup.Hour,
        Start = StartOf(minute.Start, MeterRollup.Hour),
        Subject = minute.Subject,
        Dimensions = minute.Dimensions,
        Count = minute.Count,
        Sum = minute.Sum,
        Min = minute.Min,
        Max = minute.Max,
        LatestTime = minute.LatestTime,
        LatestValue = minute.LatestValue,
    };

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
