using System.Net.Http.Json;
using System.Text;
using BenchmarkDotNet.Attributes;
using Modular.Metering.Contracts;
using Modular.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Bench;

/// <summary>
/// Usage ingestion on PostgreSQL: batches of 1,000 CloudEvents POSTed to the real endpoint over loopback
/// (Kestrel, auth, tenant resolution, mediator, dedup by unique index, rollups), against a raw binary
/// <c>COPY</c> of the same rows into a plain table of the same database: the floor any ingestion pays.
/// Times are per event (OperationsPerInvoke), so events/s = 1 s / Mean. Starts its own PostgreSQL cluster
/// (see <see cref="PostgresServer"/>) unless MODULAR_TEST_POSTGRES names one.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[ShortRunJob]
public class MeteringIngestBenchmark
{
    private const int BatchSize = 1_000;
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow;

    private PostgresServer _postgres = null!;
    private ModularHost _host = null!;
    private HttpClient _client = null!;
    private string _connectionString = "";
    private long _nextId;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _postgres = new PostgresServer();
        await _postgres.InitializeAsync();
        _host = await ModularHost.OnPostgresAsync(_postgres, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        _connectionString = _host.ConnectionString;
        _host.UseKestrel(0); // a real socket on loopback, not the in-memory test server
        _host.StartServer();

        var admin = _host.CreateClientAs("operator", "tenants.manage", MeteringPermissions.Manage);
        (await admin.PostAsJsonAsync("/api/v1/tenants", new { slug = "bench", name = "Bench" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/metering/meters", new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        })).EnsureSuccessStatusCode();

        _client = _host.CreateClient();
        _client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("ingester", [MeteringPermissions.Ingest], "bench"));

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand(
            "CREATE TABLE raw_usage_events (id uuid, tenant_id uuid, source text, event_id text, type text, subject text, " +
            "time timestamptz, received_at timestamptz, data text, status text, validation_error text)", connection);
        await create.ExecuteNonQueryAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize, Description = "raw COPY into a plain table (per event)")]
    public async Task<ulong> RawCopy()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY raw_usage_events (id, tenant_id, source, event_id, type, subject, time, received_at, data, status, validation_error) FROM STDIN (FORMAT BINARY)");
        var tenant = Guid.NewGuid();
        for (var i = 0; i < BatchSize; i++)
        {
            var id = Interlocked.Increment(ref _nextId);
            var time = Start.AddMilliseconds(id % 60_000);
            await writer.StartRowAsync();
            await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
            await writer.WriteAsync(tenant, NpgsqlDbType.Uuid);
            await writer.WriteAsync("gateway", NpgsqlDbType.Text);
            await writer.WriteAsync($"evt-{id}", NpgsqlDbType.Text);
            await writer.WriteAsync("llm.completion", NpgsqlDbType.Text);
            await writer.WriteAsync($"customer-{id % 50}", NpgsqlDbType.Text);
            await writer.WriteAsync(time, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(time, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync($$"""{"tokens":{{id % 1000}},"model":"m{{id % 3}}"}""", NpgsqlDbType.Text);
            await writer.WriteAsync("Counted", NpgsqlDbType.Text);
            await writer.WriteNullAsync();
        }

        return await writer.CompleteAsync();
    }

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "POST /api/v1/metering/events, batches of 1,000 (per event)")]
    public async Task<int> HttpIngest()
    {
        var body = new StringBuilder(BatchSize * 200).Append('[');
        for (var i = 0; i < BatchSize; i++)
        {
            var id = Interlocked.Increment(ref _nextId);
            body.Append(i == 0 ? "" : ",")
                .Append($$"""{"specversion":"1.0","id":"evt-{{id}}","source":"gateway","type":"llm.completion","subject":"customer-{{id % 50}}",""")
                .Append("\"time\":\"").Append(Start.AddMilliseconds(id % 60_000).ToString("O"))
                .Append("\",\"data\":{\"tokens\":").Append(id % 1000).Append(",\"model\":\"m").Append(id % 3).Append("\"}}");
        }

        using var content = new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/cloudevents-batch+json");
        using var response = await _client.PostAsync("/api/v1/metering/events", content);
        response.EnsureSuccessStatusCode();
        var recorded = await response.Content.ReadFromJsonAsync<UsageRecorded>();
        return recorded!.Stored == BatchSize ? BatchSize : throw new InvalidOperationException($"stored {recorded.Stored} of {BatchSize}");
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
