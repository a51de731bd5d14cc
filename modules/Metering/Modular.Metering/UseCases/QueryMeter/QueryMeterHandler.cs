using System.Globalization;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.QueryMeter;

/// <summary>
/// Answers from the rollups of the tenant in scope (never the event table): whole hours inside one
/// window from the per-hour rows, the ragged edges from the per-minute rows, read once and folded into
/// windows and groups. The database sums rows per period first (per subject or dimension set only when
/// asked), so an ungrouped month comes back as ~744 rows whatever the number of subjects. Rollup rows are filtered to the tenant by
/// the context's query filter, and on PostgreSQL by row-level security as well.
/// </summary>
public sealed class QueryMeterHandler(MeteringDbContext db, ITenantContext scope) : IQueryHandler<Contracts.QueryMeter, MeterQueryResult>
{
    public const string SubjectGroup = "subject";

    public async ValueTask<MeterQueryResult> Handle(Contracts.QueryMeter query, CancellationToken cancellationToken)
    {
        _ = scope.Tenant ?? throw new NotFoundException("Tenant", "(none in scope)");
        var meter = await db.Meters.AsNoTracking().FirstOrDefaultAsync(m => m.Key == query.Key, cancellationToken)
            ?? throw new NotFoundException("Meter", query.Key);
        var groupBy = query.GroupBy ?? [];
        var unknown = groupBy.Concat(query.Filters?.Keys ?? []).Where(g => g != SubjectGroup && !meter.GroupBy.ContainsKey(g)).ToList();
        if (unknown.Count > 0)
        {
            throw new RequestValidationException(new Dictionary<string, string[]>
            {
                ["groupBy"] = [$"Meter '{meter.Key}' has no dimension {string.Join(", ", unknown.Select(u => $"'{u}'"))}."],
            });
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(query.WindowTimeZone);
        var windows = UsageWindows.Split(query.From, query.To, query.WindowSize, zone);
        var groupBySubject = groupBy.Contains(SubjectGroup);
        var dimensions = groupBy.Where(g => g != SubjectGroup).Order(StringComparer.Ordinal).ToList();
        var subjects = query.Subjects is { Count: > 0 } s ? s.ToList() : null;

        var groups = new Dictionary<(int Window, string? Subject, string Dimensions), Accumulator>();
        if (meter.Aggregation == MeterAggregations.UniqueCount)
        {
            var values = await db.DistinctValues.AsNoTracking()
                .Where(v => v.MeterId == meter.Id && v.Minute >= query.From && v.Minute < query.To && (subjects == null || subjects.Contains(v.Subject)))
                .Select(v => new { v.Minute, v.Subject, v.Dimensions, v.Value })
                .ToListAsync(cancellationToken);
            foreach (var v in values)
            {
                if (GroupOf(v.Minute, v.Subject, v.Dimensions) is { } key)
                {
                    Get(key).Distinct.Add(v.Value);
                }
            }
        }
        else
        {
            var (hoursFrom, hoursTo) = WholeHours(query.From, query.To, query.WindowSize, windows);
            var rollups = db.Rollups.AsNoTracking().Where(r => r.MeterId == meter.Id
                && (subjects == null || subjects.Contains(r.Subject))
                && ((r.PeriodMinutes == MeterRollup.Hour && r.Start >= hoursFrom && r.Start < hoursTo)
                    || (r.PeriodMinutes == MeterRollup.Minute && ((r.Start >= query.From && r.Start < hoursFrom) || (r.Start >= hoursTo && r.Start < query.To)))));
            // The database folds rows per period, keeping subject and dimensions only when grouped or filtered by
            // them; LATEST needs each row's latest (time, value) pair, so its rows come back as stored.
            var keepDimensions = dimensions.Count > 0 || query.Filters is { Count: > 0 };
            var read = meter.Aggregation == MeterAggregations.Latest
                ? await rollups.ToListAsync(cancellationToken)
                : await rollups
                    .GroupBy(r => new { r.Start, Subject = groupBySubject ? r.Subject : "", Dimensions = keepDimensions ? r.Dimensions : "{}" })
                    .Select(g => new MeterRollup
                    {
                        Start = g.Key.Start,
                        Subject = g.Key.Subject,
                        Dimensions = g.Key.Dimensions,
                        Count = g.Sum(r => r.Count),
                        Sum = g.Sum(r => r.Sum),
                        Min = g.Min(r => r.Min),
                        Max = g.Max(r => r.Max),
                    }).ToListAsync(cancellationToken);
            foreach (var r in read)
            {
                if (GroupOf(r.Start, r.Subject, r.Dimensions) is { } key)
                {
                    Get(key).Add(r);
                }
            }
        }

        // Without grouping every window gets a row, empty or not; grouped, only the groups that saw events.
        if (!groupBySubject && dimensions.Count == 0)
        {
            for (var i = 0; i < windows.Count; i++)
            {
                Get((i, null, "{}"));
            }
        }

        var rows = groups.OrderBy(g => g.Key.Window).ThenBy(g => g.Key.Subject, StringComparer.Ordinal).ThenBy(g => g.Key.Dimensions, StringComparer.Ordinal)
            .Select(g => new MeterQueryRow(
                windows[g.Key.Window].Start,
                windows[g.Key.Window].End,
                g.Key.Subject,
                MeterReading.ParseDimensions(g.Key.Dimensions),
                g.Value.ValueOf(meter.Aggregation)))
            .ToList();
        return new MeterQueryResult(meter.Key, meter.Aggregation, query.From, query.To, query.WindowSize, query.WindowTimeZone, rows);

        Accumulator Get((int, string?, string) key) =>
            groups.TryGetValue(key, out var found) ? found : groups[key] = new Accumulator();

        (int, string?, string)? GroupOf(DateTimeOffset minute, string subject, string json)
        {
            var values = dimensions.Count > 0 || query.Filters is { Count: > 0 } ? MeterReading.ParseDimensions(json) : null;
            if (query.Filters is { Count: > 0 } filters && !filters.All(f => values!.TryGetValue(f.Key, out var v) && v == f.Value))
            {
                return null;
            }

            var window = WindowOf(windows, minute);
            var kept = dimensions.Count == 0 ? "{}" : System.Text.Json.JsonSerializer.Serialize(
                new SortedDictionary<string, string>(dimensions.Where(values!.ContainsKey).ToDictionary(d => d, d => values![d]), StringComparer.Ordinal));
            return window < 0 ? null : (window, groupBySubject ? subject : null, kept);
        }
    }

    /// <summary>
    /// The whole UTC hours of [from, to) that per-hour rollups may answer: none for MINUTE windows, nor when
    /// a window boundary falls inside an hour (zones at :30 or :45 offsets); otherwise from the first whole
    /// hour to the last. An empty range is (to, to), leaving everything to the per-minute rows.
    /// </summary>
    private static (DateTimeOffset From, DateTimeOffset To) WholeHours(
        DateTimeOffset from, DateTimeOffset to, string? windowSize, List<(DateTimeOffset Start, DateTimeOffset End)> windows)
    {
        const long TicksPerHour = TimeSpan.TicksPerHour;
        var first = new DateTimeOffset((from.UtcTicks + TicksPerHour - 1) / TicksPerHour * TicksPerHour, TimeSpan.Zero);
        var last = new DateTimeOffset(to.UtcTicks / TicksPerHour * TicksPerHour, TimeSpan.Zero);
        var aligned = windows.Skip(1).All(w => w.Start.UtcTicks % TicksPerHour == 0);
        return windowSize != WindowSizes.Minute && aligned && first < last ? (first, last) : (to, to);
    }

    /// <summary>The index of the window holding <paramref name="minute"/> (windows are contiguous and ordered), or -1.</summary>
    private static int WindowOf(List<(DateTimeOffset Start, DateTimeOffset End)> windows, DateTimeOffset minute)
    {
        int low = 0, high = windows.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (minute < windows[middle].Start)
            {
                high = middle - 1;
            }
            else if (minute >= windows[middle].End)
            {
                low = middle + 1;
            }
            else
            {
                return middle;
            }
        }

        return -1;
    }

    private sealed class Accumulator
    {
        public HashSet<string> Distinct { get; } = new(StringComparer.Ordinal);

        private long _count;
        private double _sum;
        private double _min = double.MaxValue;
        private double _max = double.MinValue;
        private DateTimeOffset _latestTime = DateTimeOffset.MinValue;
        private double _latestValue;

        public void Add(MeterRollup rollup)
        {
            _count += rollup.Count;
            _sum += rollup.Sum;
            _min = Math.Min(_min, rollup.Min);
            _max = Math.Max(_max, rollup.Max);
            if (rollup.LatestTime >= _latestTime)
            {
                (_latestTime, _latestValue) = (rollup.LatestTime, rollup.LatestValue);
            }
        }

        public double? ValueOf(string aggregation) => aggregation switch
        {
            MeterAggregations.Count => _count,
            MeterAggregations.Sum => _sum,
            MeterAggregations.UniqueCount => Distinct.Count,
            _ when _count == 0 => null,
            MeterAggregations.Avg => _sum / _count,
            MeterAggregations.Min => _min,
            MeterAggregations.Max => _max,
            MeterAggregations.Latest => _latestValue,
            _ => throw new InvalidOperationException($"Unknown aggregation {aggregation}."),
        };
    }
}

internal sealed class QueryMeterValidator : AbstractValidator<Contracts.QueryMeter>
{
    /// <summary>Bounds the work of one query (a year of hours is 8,784 windows).</summary>
    public const int MaxWindows = 10_000;

    /// <summary>
    /// Usage lies between these (event ids are time-ordered from 1970); the margins keep window arithmetic in
    /// every time zone clear of the calendar's ends.
    /// </summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    public static readonly DateTimeOffset Latest = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public QueryMeterValidator()
    {
        RuleFor(q => q.To).GreaterThan(q => q.From).WithMessage("'to' must be after 'from' (the range is [from, to)).");
        RuleFor(q => q.From).Must(WholeMinute).WithMessage("Usage is kept per minute: 'from' must be a whole minute.");
        RuleFor(q => q.To).Must(WholeMinute).WithMessage("Usage is kept per minute: 'to' must be a whole minute.");
        RuleFor(q => q.From).InclusiveBetween(Earliest, Latest).WithMessage($"Between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.");
        RuleFor(q => q.To).InclusiveBetween(Earliest, Latest).WithMessage($"Between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.");
        RuleFor(q => q.GroupBy).Must(g => g!.Distinct().Count() == g!.Count).When(q => q.GroupBy is not null)
            .WithMessage("Name each group at most once.");
        RuleFor(q => q.WindowSize!).Must(w => WindowSizes.All.Contains(w)).When(q => q.WindowSize is not null)
            .WithMessage($"One of {string.Join(", ", WindowSizes.All)}.");
        RuleFor(q => q.WindowTimeZone).Must(z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out _)).WithMessage("An IANA time zone, e.g. Europe/Budapest.");
        RuleFor(q => q).Must(q => q.WindowSize is not WindowSizes.Minute || (q.To - q.From).TotalMinutes <= MaxWindows)
            .OverridePropertyName("windowSize").WithMessage($"At most {MaxWindows} windows per query.")
            .Must(q => q.WindowSize is not WindowSizes.Hour || (q.To - q.From).TotalHours <= MaxWindows)
            .OverridePropertyName("windowSize").WithMessage($"At most {MaxWindows} windows per query.")
            .Must(q => q.WindowSize is not WindowSizes.Day || (q.To - q.From).TotalDays <= MaxWindows)
            .OverridePropertyName("windowSize").WithMessage($"At most {MaxWindows} windows per query.")
            .Must(q => q.WindowSize is not WindowSizes.Month || (q.To - q.From).TotalDays / 28 <= MaxWindows)
            .OverridePropertyName("windowSize").WithMessage($"At most {MaxWindows} windows per query.");
    }

    private static bool WholeMinute(DateTimeOffset time) => time.UtcTicks % TimeSpan.TicksPerMinute == 0;
}

internal static class QueryMeterEndpoint
{
    public static void MapQueryMeter(this IEndpointRouteBuilder meters) =>
        meters.MapGet("/{key}/query", async (
                string key, string? from, string? to, string? windowSize, string? windowTimeZone,
                string[]? groupBy, string[]? subject, string[]? filter, ISender sender, CancellationToken cancellationToken) =>
            {
                var query = new Contracts.QueryMeter(
                    key, Instant("from", from), Instant("to", to), windowSize, windowTimeZone ?? "UTC", groupBy, subject, Filters(filter));
                return TypedResults.Ok(await sender.Send(query, cancellationToken));
            })
            .WithName("QueryMeter")
            .WithSummary("The meter's usage for the caller's tenant over [from, to), in windows")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Read);

    private static DateTimeOffset Instant(string field, string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : throw new RequestValidationException(new Dictionary<string, string[]> { [field] = ["Required: an RFC 3339 timestamp."] });

    /// <summary><c>filter=region:eu</c>, repeatable.</summary>
    private static Dictionary<string, string>? Filters(string[]? filters)
    {
        if (filters is not { Length: > 0 })
        {
            return null;
        }

        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var filter in filters)
        {
            var colon = filter.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new RequestValidationException(new Dictionary<string, string[]> { ["filter"] = ["Each filter is dimension:value."] });
            }

            parsed[filter[..colon]] = filter[(colon + 1)..];
        }

        return parsed;
    }
}
