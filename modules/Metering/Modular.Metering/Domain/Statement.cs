using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;

namespace Modular.Metering.Domain;

/// <summary>
/// A closed billing period of one tenant, computed once and frozen: its lines keep the quantities and
/// prices of the moment it closed. One per (tenant, period start), which a unique index guarantees.
/// </summary>
internal sealed class Statement : ITenantOwned
{
    public Guid Id { get; private init; }

    public Guid TenantId { get; private init; }

    public DateTimeOffset PeriodStart { get; private init; }

    public DateTimeOffset PeriodEnd { get; private init; }

    public string TimeZone { get; private init; } = "";

    public string Plan { get; private init; } = "";

    public string Currency { get; private init; } = "";

    public List<StatementLineDto> Lines { get; private init; } = [];

    public decimal Total { get; private init; }

    public DateTimeOffset ClosedAt { get; private init; }

    public static Statement Close(Guid tenantId, BillingPeriod period, string plan, string currency, List<StatementLineDto> lines, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        TenantId = tenantId,
        PeriodStart = period.Start,
        PeriodEnd = period.End,
        TimeZone = period.TimeZone,
        Plan = plan,
        Currency = currency,
        Lines = lines,
        Total = lines.Sum(l => l.Amount),
        ClosedAt = now,
    };
}

/// <summary>A tenant's billing settings; without one the platform's <c>Metering:BillingTimeZone</c> applies.</summary>
internal sealed class BillingProfile : ITenantOwned
{
    public const int TimeZoneMaxLength = 64;

    public Guid TenantId { get; private init; }

    public string TimeZone { get; private set; } = "";

    public DateTimeOffset UpdatedAt { get; private set; }

    public static BillingProfile Create(Guid tenantId, string timeZone, DateTimeOffset now) => new() { TenantId = tenantId, TimeZone = timeZone, UpdatedAt = now };

    public void ChangeTimeZone(string timeZone, DateTimeOffset now)
    {
        TimeZone = timeZone;
        UpdatedAt = now;
    }
}

/// <summary>A billing period: the calendar month [<see cref="Start"/>, <see cref="End"/>) in <see cref="TimeZone"/>.</summary>
internal readonly record struct BillingPeriod(DateTimeOffset Start, DateTimeOffset End, string TimeZone)
{
    /// <summary>The month holding <paramref name="instant"/>.</summary>
    public static BillingPeriod Containing(DateTimeOffset instant, string timeZone)
    {
        var (start, end) = UsageWindows.Containing(instant, WindowSizes.Month, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
        return new BillingPeriod(start, end, timeZone);
    }

    /// <summary>The month that ended last before <paramref name="instant"/>.</summary>
    public static BillingPeriod Previous(DateTimeOffset instant, string timeZone) =>
        Containing(Containing(instant, timeZone).Start.AddTicks(-1), timeZone);

    /// <summary>The month <paramref name="year"/>-<paramref name="month"/> in the zone.</summary>
    public static BillingPeriod Of(int year, int month, string timeZone)
    {
        // Mid-month local noon is inside the month in every zone, whatever its offset.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var local = new DateTime(year, month, 15, 12, 0, 0, DateTimeKind.Unspecified);
        return Containing(new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero), timeZone);
    }

    /// <summary><c>yyyy-MM</c>, the month as the tenant sees it.</summary>
    public string Name => TimeZoneInfo.ConvertTime(Start, TimeZoneInfo.FindSystemTimeZoneById(TimeZone)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
