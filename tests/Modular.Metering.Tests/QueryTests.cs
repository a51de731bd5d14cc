using System.Net;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Meter queries over the rollups: half-open ranges, windows in a time zone, groups and filters.</summary>
public sealed class QueryTests(PostgresServer postgres)
{
    // Old events are the point here: the allowed lag is widened so 2025 is still "late".
    private static readonly Dictionary<string, string?> LongLag = new() { ["Metering:MaxLag"] = "3650.00:00:00", ["Metering:EventRetention"] = "3651.00:00:00" };

    private static string Range(string from, string to) => $"from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_month_window_in_budapest_starts_at_local_midnight_and_the_range_is_half_open(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, LongLag);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "tokens", name = "Tokens", eventType = "llm", aggregation = "SUM", valuePath = "$.tokens" });
        var client = Ingester(host, "acme");
        await SendOkAsync(client, new[]
        {
            Event("dec", "llm", new { tokens = 1 }, time: DateTimeOffset.Parse("2024-12-31T22:59:59Z")),   // December in Budapest
            Event("jan-1", "llm", new { tokens = 10 }, time: DateTimeOffset.Parse("2024-12-31T23:00:00Z")), // January 1st, 00:00 local
            Event("jan-31", "llm", new { tokens = 100 }, time: DateTimeOffset.Parse("2025-01-31T22:59:00Z")),
            Event("feb-1", "llm", new { tokens = 1000 }, time: DateTimeOffset.Parse("2025-01-31T23:00:00Z")),
        }, BatchMediaType);

        var months = await QueryAsync(client, "tokens", Range("2024-12-01T00:00:00Z", "2025-02-28T23:00:00Z") + "&windowSize=MONTH&windowTimeZone=Europe/Budapest");
        Assert.Equal(
            [
                (DateTimeOffset.Parse("2024-12-01T00:00:00Z"), DateTimeOffset.Parse("2024-12-31T23:00:00Z"), 1d),
                (DateTimeOffset.Parse("2024-12-31T23:00:00Z"), DateTimeOffset.Parse("2025-01-31T23:00:00Z"), 110d),
                (DateTimeOffset.Parse("2025-01-31T23:00:00Z"), DateTimeOffset.Parse("2025-02-28T23:00:00Z"), 1000d),
            ],
            months.Rows.Select(r => (r.WindowStart, r.WindowEnd, r.Value!.Value)));

        // [from, to): the event at 'to' is out, the one at 'from' is in.
        var january = await QueryAsync(client, "tokens", Range("2024-12-31T23:00:00Z", "2025-01-31T23:00:00Z"));
        Assert.Equal(110, Assert.Single(january.Rows).Value);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Day_windows_follow_the_local_day_across_daylight_saving_changes(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, LongLag);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "calls", name = "Calls", eventType = "api.call", aggregation = "COUNT" });
        var client = Ingester(host, "acme");
        // Budapest: 2025-03-30 has 23 hours (CET → CEST), 2025-10-26 has 25 (CEST → CET).
        await SendOkAsync(client, new[]
        {
            Event("spring-start", time: DateTimeOffset.Parse("2025-03-29T23:00:00Z")),
            Event("spring-end", time: DateTimeOffset.Parse("2025-03-30T21:59:00Z")),
            Event("spring-next", time: DateTimeOffset.Parse("2025-03-30T22:00:00Z")),
            Event("autumn-start", time: DateTimeOffset.Parse("2025-10-25T22:00:00Z")),
            Event("autumn-end", time: DateTimeOffset.Parse("2025-10-26T22:59:00Z")),
        }, BatchMediaType);

        var spring = await QueryAsync(client, "calls", Range("2025-03-29T23:00:00Z", "2025-03-31T22:00:00Z") + "&windowSize=DAY&windowTimeZone=Europe/Budapest");
        Assert.Equal(
            [
                (DateTimeOffset.Parse("2025-03-29T23:00:00Z"), DateTimeOffset.Parse("2025-03-30T22:00:00Z"), 2d),
                (DateTimeOffset.Parse("2025-03-30T22:00:00Z"), DateTimeOffset.Parse("2025-03-31T22:00:00Z"), 1d),
            ],
            spring.Rows.Select(r => (r.WindowStart, r.WindowEnd, r.Value!.Value)));

        var autumn = await QueryAsync(client, "calls", Range("2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z") + "&windowSize=DAY&windowTimeZone=Europe/Budapest");
        var day = Assert.Single(autumn.Rows);
        Assert.Equal((TimeSpan.FromHours(25), 2d), (day.WindowEnd - day.WindowStart, day.Value!.Value));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Every_aggregation_groups_and_filters_by_subject_and_dimension(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, LongLag);
        await CreateTenantAsync(host, "acme");
        var regions = new Dictionary<string, string> { ["region"] = "$.region" };
        foreach (var aggregation in new[] { "SUM", "COUNT", "AVG", "MIN", "MAX", "LATEST", "UNIQUE_COUNT" })
        {
            var path = aggregation == "UNIQUE_COUNT" ? "$.user" : "$.ms";
            await CreateMeterAsync(host, new { key = aggregation.ToLowerInvariant().Replace('_', '-'), name = aggregation, eventType = "req", aggregation, valuePath = path, groupBy = regions });
        }

        var client = Ingester(host, "acme");
        var t = DateTimeOffset.Parse("2025-06-01T10:00:00Z");
        await SendOkAsync(client, new[]
        {
            Event("1", "req", new { ms = 10, region = "eu", user = "u1" }, subject: "a", time: t),
            Event("2", "req", new { ms = 30, region = "eu", user = "u2" }, subject: "a", time: t.AddMinutes(30)),
            Event("3", "req", new { ms = 20, region = "us", user = "u1" }, subject: "b", time: t.AddMinutes(90)),
            Event("4", "req", new { ms = 5, region = "eu", user = "u1" }, subject: "b", time: t.AddMinutes(61)),
        }, BatchMediaType);

        var range = Range("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");
        async Task<double?> Total(string meter, string extra = "") => Assert.Single((await QueryAsync(client, meter, range + extra)).Rows).Value;
        Assert.Equal(65, await Total("sum"));
        Assert.Equal(4, await Total("count"));
        Assert.Equal(16.25, await Total("avg"));
        Assert.Equal(5, await Total("min"));
        Assert.Equal(30, await Total("max"));
        Assert.Equal(20, await Total("latest"));
        Assert.Equal(2, await Total("unique-count"));
        Assert.Equal(45, await Total("sum", "&filter=region:eu"));
        Assert.Equal(40, await Total("sum", "&subject=a"));
        Assert.Equal(1, await Total("unique-count", "&subject=b&filter=region:eu"));

        var hourly = await QueryAsync(client, "sum", range + "&windowSize=HOUR&groupBy=subject&groupBy=region");
        Assert.Equal(
            [("10:00", "a", "eu", 40d), ("11:00", "b", "eu", 5d), ("11:00", "b", "us", 20d)],
            hourly.Rows.Select(r => (r.WindowStart.ToString("HH:mm"), r.Subject!, r.GroupBy["region"], r.Value!.Value)));

        // Ungrouped windows are all there, empty ones too.
        var empty = await QueryAsync(client, "sum", Range("2025-06-01T09:00:00Z", "2025-06-01T12:00:00Z") + "&windowSize=HOUR");
        Assert.Equal([0d, 40d, 25d], empty.Rows.Select(r => r.Value!.Value));
        Assert.Null(Assert.Single((await QueryAsync(client, "avg", Range("2025-05-01T00:00:00Z", "2025-05-02T00:00:00Z"))).Rows).Value);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Hour_rows_answer_whole_hours_and_minute_rows_the_edges_even_in_half_hour_zones(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, LongLag);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "bytes", name = "Bytes", eventType = "io", aggregation = "SUM", valuePath = "$.n" });
        var client = Ingester(host, "acme");
        var day = DateTimeOffset.Parse("2025-06-01T00:00:00Z");
        string[] times = ["10:05", "10:40", "11:15", "12:59", "13:20", "18:10", "18:45"];
        await SendOkAsync(client, times.Select((time, i) => Event($"e{i}", "io", new { n = 1 << i }, time: day + TimeSpan.Parse(time))).ToArray(), BatchMediaType);

        // [10:30, 13:30): 11:00–13:00 from two hour rows, 10:30–11:00 and 13:00–13:30 from minute rows.
        var middle = await QueryAsync(client, "bytes", Range("2025-06-01T10:30:00Z", "2025-06-01T13:30:00Z"));
        Assert.Equal(2 + 4 + 8 + 16, Assert.Single(middle.Rows).Value);

        // Kolkata is UTC+5:30: its days start at 18:30 UTC, inside the 18:00 hour, so that hour is split by minutes.
        var kolkata = await QueryAsync(client, "bytes", Range("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z") + "&windowSize=DAY&windowTimeZone=Asia/Kolkata");
        Assert.Equal(
            [
                (DateTimeOffset.Parse("2025-06-01T00:00:00Z"), 1d + 2 + 4 + 8 + 16 + 32),
                (DateTimeOffset.Parse("2025-06-01T18:30:00Z"), 64d),
            ],
            kolkata.Rows.Select(r => (r.WindowStart, r.Value!.Value)));

        var minutes = await QueryAsync(client, "bytes", Range("2025-06-01T10:00:00Z", "2025-06-01T10:45:00Z") + "&windowSize=MINUTE");
        Assert.Equal(45, minutes.Rows.Count);
        Assert.Equal([("10:05", 1d), ("10:40", 2d)], minutes.Rows.Where(r => r.Value > 0).Select(r => (r.WindowStart.ToString("HH:mm"), r.Value!.Value)));
    }

    [Fact]
    public async Task Bad_queries_are_refused_naming_the_parameter()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "calls", name = "Calls", eventType = "api.call", aggregation = "COUNT" });
        var client = Ingester(host, "acme");
        var ok = Range("2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z");

        async Task Refused(string query, string field) =>
            (await (await client.GetAsync($"{MeteringRoutes.MeterQuery("calls")}?{query}", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);
        await Refused("to=2025-06-02T00:00:00Z", "from");
        await Refused("from=tomorrow&to=2025-06-02T00:00:00Z", "from");
        await Refused(Range("2025-06-02T00:00:00Z", "2025-06-01T00:00:00Z"), "to");
        await Refused(Range("2025-06-01T00:00:30Z", "2025-06-02T00:00:00Z"), "from");
        await Refused(ok + "&windowSize=WEEK", "windowSize");
        await Refused(ok + "&windowTimeZone=Mars/Olympus", "windowTimeZone");
        await Refused(ok + "&groupBy=region", "groupBy");
        await Refused(ok + "&filter=region", "filter");
        await Refused(Range("2020-01-01T00:00:00Z", "2025-01-01T00:00:00Z") + "&windowSize=MINUTE", "windowSize");
        await (await client.GetAsync($"{MeteringRoutes.MeterQuery("nope")}?{ok}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }
}
