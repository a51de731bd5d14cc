using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Bench;

/// <summary>
/// Usage metering on PostgreSQL, two measurements, each against a baseline in the same run:
/// <list type="number">
/// <item>Ingestion: the same events POSTed in batches of 1,000 to the real endpoint over loopback Kestrel
/// (auth, tenant resolution, mediator, dedup by unique index, minute and hour rollups) by N concurrent
/// clients, against N concurrent binary <c>COPY</c>s of the same rows into a plain table — the floor any
/// ingestion pays — and into a table with the event table's indexes — the floor of storing them alone.</item>
/// <item>A month's usage over a large event table (10 M events by default, written by SQL straight into the
/// module's tables together with the rollups ingestion would have kept): <c>GET .../query</c> (total, per
/// day in Europe/Budapest, per subject) against the plain SQL sum over the events that the rollups replace.</item>
/// </list>
/// Run: <c>dotnet Modular.Bench.dll metering [events] [clients] [query-events]</c> from bin/Release/net10.0.
/// Starts its own PostgreSQL cluster (as the tests do) unless MODULAR_TEST_POSTGRES names one.
/// </summary>
internal static class MeteringLoad
{
    private const int BatchSize = 1_000;
    private const int Rounds = 4;
    private const int Subjects = 50;
    private static readonly DateTimeOffset January = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task RunAsync(int events, int clients, int queryEvents)
    {
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        await using var host = await ModularHost.OnPostgresAsync(postgres, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Critical", // a fresh database logs its missing migration history as errors
            ["Metering:MaxLag"] = "3650.00:00:00", // the query phase's January is "late", not refused
            ["Metering:EventRetention"] = "3651.00:00:00",
            ["RateLimiting:PermitLimit"] = "100000000",
        });
        host.UseKestrel(0); // a real socket on loopback, not the in-memory test server
        host.StartServer();

        var admin = host.CreateClientAs("operator", "tenants.manage", MeteringPermissions.Manage);
        var tenant = await (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "bench", name = "Bench" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>();
        var tenantId = tenant.GetProperty("id").GetGuid();
        var meter = await (await admin.PostAsJsonAsync(MeteringRoutes.Meters, new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var meterId = meter.GetProperty("id").GetGuid();

        await IngestAsync(host, events, clients);
        await QueryAsync(host, tenantId, meterId, queryEvents);
    }

    private static async Task IngestAsync(ModularHost host, int events, int clients)
    {
        var batches = events / BatchSize;
        var now = DateTimeOffset.UtcNow;
        var bodies = Enumerable.Range(0, batches).Select(b => Body(b, now)).ToArray();
        // The baselines' tables are the bench's, outside the application: its role may create none.
        await using (var connection = new NpgsqlConnection(host.OwnerConnectionString))
        {
            await connection.OpenAsync();
            // The second table has the event table's columns and indexes (not its row-level security, under
            // which PostgreSQL refuses COPY): what storing the events alone costs, before HTTP, JSON and rollups.
            await using var create = new NpgsqlCommand(
                "CREATE TABLE raw_usage_events (id uuid, tenant_id uuid, source text, event_id text, type text, subject text, " +
                "time timestamptz, received_at timestamptz, data text, status text, validation_error text); " +
                "CREATE TABLE indexed_usage_events (LIKE metering.usage_events INCLUDING DEFAULTS INCLUDING INDEXES)", connection);
            await create.ExecuteNonQueryAsync();
        }

        // Warm both paths (JIT, pools, plans) with batches that are not counted.
        await CopyAsync(host.OwnerConnectionString, "raw_usage_events", -1, now);
        await CopyAsync(host.OwnerConnectionString, "indexed_usage_events", -1, now);
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("ingester", [MeteringPermissions.Ingest], "bench"));
        await PostAsync(client, Body(-1, now));

        // Rounds alternate the three, so a change in the machine's load (it is shared) falls on all alike.
        var (copy, indexed, http) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        var ratios = new List<double>();
        var perRound = batches / Rounds;
        for (var round = 0; round < Rounds; round++)
        {
            var first = round * perRound;
            var copyRound = await TimeAsync(perRound, clients, b => CopyAsync(host.OwnerConnectionString, "raw_usage_events", first + b, now));
            indexed += await TimeAsync(perRound, clients, b => CopyAsync(host.OwnerConnectionString, "indexed_usage_events", first + b, now));
            var httpRound = await TimeAsync(perRound, clients, b => PostAsync(client, bodies[first + b]));
            (copy, http) = (copy + copyRound, http + httpRound);
            ratios.Add(copyRound / httpRound);
        }

        var ingested = perRound * Rounds * BatchSize;
        Console.WriteLine($"metering ingestion, {ingested:N0} events in batches of {BatchSize:N0}, {clients} concurrent clients, {Rounds} alternating rounds:");
        Console.WriteLine($"  raw binary COPY into a plain table (baseline): {ingested / copy.TotalSeconds,10:N0} events/s");
        Console.WriteLine($"  binary COPY into the event table's indexes:    {ingested / indexed.TotalSeconds,10:N0} events/s   ratio {copy / indexed:0.000}");
        Console.WriteLine($"  POST {MeteringRoutes.Events} (dedup, rollups): {ingested / http.TotalSeconds,10:N0} events/s");
        Console.WriteLine($"  ratio (endpoint / COPY): {copy / http:0.000} (rounds {ratios.Min():0.000} to {ratios.Max():0.000}); endpoint / indexed COPY: {indexed / http:0.000}");
    }

    private static async Task QueryAsync(ModularHost host, Guid tenantId, Guid meterId, int queryEvents)
    {
        var seeding = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(host.OwnerConnectionString)) // data set up outside the application
        {
            await connection.OpenAsync();
            await using var seed = new NpgsqlCommand(SeedSql, connection) { CommandTimeout = 0 };
            seed.Parameters.AddWithValue("tenant", tenantId);
            seed.Parameters.AddWithValue("meter", meterId);
            seed.Parameters.AddWithValue("events", queryEvents);
            seed.Parameters.AddWithValue("start", January);
            seed.Parameters.AddWithValue("subjects", Subjects);
            await seed.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"metering query: {queryEvents:N0} events over January 2025 ({Subjects} subjects x 3 models) written by SQL with their rollups in {seeding.Elapsed.TotalSeconds:0} s");
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("reader", [MeteringPermissions.Read], "bench"));
        var month = "from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z";
        var (baseline, expected) = await MedianAsync(() => PlainSumAsync(host.ConnectionString, tenantId));
        Console.WriteLine($"  plain SQL sum over the events (baseline):       {baseline.TotalMilliseconds,8:0.0} ms");
        foreach (var (label, query) in new[]
        {
            ("GET query, the month's total", month),
            ("GET query, per day in Europe/Budapest", "from=2024-12-31T23:00:00Z&to=2025-01-31T23:00:00Z&windowSize=DAY&windowTimeZone=Europe/Budapest"),
            ("GET query, the month per subject", month + "&groupBy=subject"),
        })
        {
            var (elapsed, total) = await MedianAsync(async () =>
                (await client.GetFromJsonAsync<MeterQueryResult>($"{MeteringRoutes.MeterQuery("tokens")}?{query}"))!.Rows.Sum(r => r.Value ?? 0));
            var check = Math.Abs(total - expected) < 0.5 || label.Contains("Budapest", StringComparison.Ordinal) ? "" : $" (total {total} != {expected}!)";
            Console.WriteLine($"  {label + ":",-47} {elapsed.TotalMilliseconds,8:0.0} ms   ratio {elapsed / baseline:0.0000}{check}");
        }
    }

    /// <summary>Runs the batches on <paramref name="clients"/> concurrent workers; the wall time of all of them.</summary>
    private static async Task<TimeSpan> TimeAsync(int batches, int clients, Func<int, Task> batch)
    {
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref next)) < batches)
            {
                await batch(b);
            }
        })));
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<(TimeSpan Elapsed, double Value)> MedianAsync(Func<Task<double>> run)
    {
        var value = await run(); // warm-up
        var times = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            value = await run();
            times.Add(Stopwatch.GetElapsedTime(started));
        }

        return (times.Order().ElementAt(times.Count / 2), value);
    }

    private static async Task PostAsync(HttpClient client, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/cloudevents-batch+json");
        using var response = await client.PostAsync(MeteringRoutes.Events, content);
        response.EnsureSuccessStatusCode();
        var recorded = await response.Content.ReadFromJsonAsync<UsageRecorded>();
        if (recorded!.Stored != BatchSize)
        {
            throw new InvalidOperationException($"stored {recorded.Stored} of {BatchSize}");
        }
    }

    /// <summary>The same rows the endpoint stores for batch <paramref name="batch"/>, COPYed into <paramref name="table"/>.</summary>
    private static async Task CopyAsync(string connectionString, string table, int batch, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (id, tenant_id, source, event_id, type, subject, time, received_at, data, status, validation_error) FROM STDIN (FORMAT BINARY)");
        var tenant = Guid.NewGuid();
        for (var i = 0; i < BatchSize; i++)
        {
            var (id, subject, time, data) = EventOf(batch, i, now);
            await writer.StartRowAsync();
            await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
            await writer.WriteAsync(tenant, NpgsqlDbType.Uuid);
            await writer.WriteAsync("gateway", NpgsqlDbType.Text);
            await writer.WriteAsync(id, NpgsqlDbType.Text);
            await writer.WriteAsync("llm.completion", NpgsqlDbType.Text);
            await writer.WriteAsync(subject, NpgsqlDbType.Text);
            await writer.WriteAsync(time, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(data, NpgsqlDbType.Text);
            await writer.WriteAsync("Counted", NpgsqlDbType.Text);
            await writer.WriteNullAsync();
        }

        await writer.CompleteAsync();
    }

    private static string Body(int batch, DateTimeOffset now)
    {
        var body = new StringBuilder(BatchSize * 220).Append('[');
        for (var i = 0; i < BatchSize; i++)
        {
            var (id, subject, time, data) = EventOf(batch, i, now);
            body.Append(i == 0 ? "" : ",")
                .Append(CultureInfo.InvariantCulture, $$"""{"specversion":"1.0","id":"{{id}}","source":"gateway","type":"llm.completion","subject":"{{subject}}",""")
                .Append(CultureInfo.InvariantCulture, $"\"time\":\"{time:O}\",\"data\":{data}}}");
        }

        return body.Append(']').ToString();
    }

    /// <summary>Event <paramref name="i"/> of a batch: spread over the last 10 minutes, 50 subjects, 3 models.</summary>
    private static (string Id, string Subject, DateTimeOffset Time, string Data) EventOf(int batch, int i, DateTimeOffset now)
    {
        var n = ((long)batch * BatchSize) + i;
        return ($"evt-{batch}-{i}", $"customer-{n % Subjects}", now.AddMilliseconds(-(n % 600_000)),
            $$"""{"tokens":{{n % 1000}},"model":"m{{n % 3}}"}""");
    }

    private static async Task<double> PlainSumAsync(string connectionString, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var sum = new NpgsqlCommand(
            "SELECT set_config('app.tenant_id', '*', false); " +
            "SELECT coalesce(sum((data::jsonb ->> 'tokens')::float8), 0) FROM metering.usage_events " +
            "WHERE tenant_id = @tenant AND type = 'llm.completion' AND time >= @from AND time < @to",
            connection)
        { CommandTimeout = 0 };
        sum.Parameters.AddWithValue("tenant", tenantId);
        sum.Parameters.AddWithValue("from", January);
        sum.Parameters.AddWithValue("to", January.AddMonths(1));
        await using var reader = await sum.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetDouble(0);
    }

    // Events spread evenly over January, then the minute and hour rollups ingestion keeps for them
    // (count, sum, min, max, latest per subject and model), computed from the stored events.
    private const string SeedSql = """
        SELECT set_config('app.tenant_id', '*', false);
        INSERT INTO metering.usage_events (id, tenant_id, source, event_id, type, subject, time, received_at, data, status, validation_error)
        SELECT gen_random_uuid(), @tenant, 'seed', 'seed-' || i, 'llm.completion', 'customer-' || (i % @subjects),
               @start + ((i::float8 / @events) * 31 * 86400) * interval '1 second', now(),
               '{"tokens":' || (i % 1000) || ',"model":"m' || (i % 3) || '"}', 'Counted', NULL
        FROM generate_series(0, @events - 1) AS i;
        INSERT INTO metering.meter_rollups (tenant_id, meter_id, period_minutes, start, subject, dimensions, count, sum, min, max, latest_time, latest_value)
        SELECT tenant_id, @meter, p.minutes, date_bin(p.minutes * interval '1 minute', time, timestamptz '2000-01-01 00:00:00+00'), subject,
               '{"model":"' || model || '"}', count(*), sum(v), min(v), max(v), max(time), (array_agg(v ORDER BY time DESC))[1]
        FROM (SELECT tenant_id, time, subject, (data::jsonb ->> 'tokens')::float8 AS v, data::jsonb ->> 'model' AS model
              FROM metering.usage_events WHERE tenant_id = @tenant AND source = 'seed') e
        CROSS JOIN (VALUES (1), (60)) AS p(minutes)
        GROUP BY tenant_id, p.minutes, date_bin(p.minutes * interval '1 minute', time, timestamptz '2000-01-01 00:00:00+00'), subject, model;
        ANALYZE metering.usage_events;
        ANALYZE metering.meter_rollups;
        """;
}
