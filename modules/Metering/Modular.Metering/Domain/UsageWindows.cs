using Modular.Metering.Contracts;

namespace Modular.Metering.Domain;

/// <summary>
/// Cuts [from, to) into windows aligned in a time zone: a DAY is local midnight to local midnight (23 or
/// 25 hours across a DST change), a MONTH starts on the 1st at local midnight (January in Europe/Budapest
/// starts at 2024-12-31T23:00Z). The first and last windows are clipped to the range.
/// </summary>
internal static class UsageWindows
{
    public static List<(DateTimeOffset Start, DateTimeOffset End)> Split(DateTimeOffset from, DateTimeOffset to, string? windowSize, TimeZoneInfo zone)
    {
        if (windowSize is null)
        {
            return [(from, to)];
        }

        var windows = new List<(DateTimeOffset, DateTimeOffset)>();
        var start = AlignedStart(from, windowSize, zone);
        while (start < to)
        {
            var end = Next(start, windowSize, zone);
            windows.Add((start < from ? from : start, end > to ? to : end));
            start = end;
        }

        return windows;
    }

    /// <summary>The whole (unclipped) window holding <paramref name="instant"/>, e.g. the billing month.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Containing(DateTimeOffset instant, string windowSize, TimeZoneInfo zone)
    {
        var start = AlignedStart(instant, windowSize, zone);
        return (start, Next(start, windowSize, zone));
    }

    private static DateTimeOffset AlignedStart(DateTimeOffset instant, string windowSize, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return windowSize switch
        {
            // Whole-hour offsets align minutes and hours in UTC too; a :30 or :45 zone aligns hours locally.
            WindowSizes.Minute => new DateTimeOffset(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero),
            WindowSizes.Hour => instant.AddTicks(-(local.Ticks % TimeSpan.TicksPerHour)).ToUniversalTime(),
            WindowSizes.Day => LocalMidnight(local.Date, zone),
            WindowSizes.Month => LocalMidnight(new DateTime(local.Year, local.Month, 1), zone),
            _ => throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, null),
        };
    }

    private static DateTimeOffset Next(DateTimeOffset start, string windowSize, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(start, zone);
        return windowSize switch
        {
            WindowSizes.Minute => start.AddMinutes(1),
            WindowSizes.Hour => start.AddHours(1),
            WindowSizes.Day => LocalMidnight(local.Date.AddDays(1), zone),
            WindowSizes.Month => LocalMidnight(new DateTime(local.Year, local.Month, 1).AddMonths(1), zone),
            _ => throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, null),
        };
    }

    /// <summary>The instant a local day starts; where midnight itself is skipped by DST, the first valid minute after it.</summary>
    private static DateTimeOffset LocalMidnight(DateTime date, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
