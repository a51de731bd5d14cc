using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using Modular.Metering.Persistence;
using Modular.Metering.Retention;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Stored events leave after the retention period; what they counted stays.</summary>
public sealed class RetentionTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Events_past_retention_are_deleted_and_their_usage_stays_counted(DatabaseProvider provider)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2025-03-01T12:00:00Z"));
        await using var host = (await ModularHost.StartAsync(provider, postgres)).WithServices(s => s.AddSingleton<TimeProvider>(clock));
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "calls", name = "Calls", eventType = "api.call", aggregation = "COUNT" });
        var client = Ingester(host, "acme");
        await SendOkAsync(client, new[] { Event("old-1", time: clock.GetUtcNow()), Event("old-2", time: clock.GetUtcNow()) }, BatchMediaType);

        clock.Advance(TimeSpan.FromDays(91)); // past the default 90 days; the hourly job may run now too
        await SendOkAsync(client, new[] { Event("new-1", time: clock.GetUtcNow()) }, BatchMediaType);
        var retention = host.Services.GetServices<IHostedService>().OfType<UsageEventRetention>().Single();
        await retention.PurgeAsync(Ct);

        await Eventually.HoldsAsync(
            async () => (await client.GetFromJsonAsync<List<UsageEventDto>>(MeteringRoutes.Events, Ct))!.Select(e => e.EventId).SequenceEqual(["new-1"]),
            "only the event inside retention is still stored");
        var usage = await QueryAsync(client, "calls", "from=2025-03-01T00:00:00Z&to=2025-06-01T00:00:00Z");
        Assert.Equal(3, Assert.Single(usage.Rows).Value);
        Assert.Equal(0, await retention.PurgeAsync(Ct));
    }

    [Fact]
    public void The_cutoff_id_sorts_between_ids_made_before_and_after_it()
    {
        var cutoff = DateTimeOffset.Parse("2025-03-01T12:00:00Z");
        var smallest = UsageWriter.SmallestVersion7Id(cutoff);
        var before = Guid.CreateVersion7(cutoff.AddMilliseconds(-1));
        var at = Guid.CreateVersion7(cutoff);

        // As PostgreSQL compares uuids and SQLite the upper-case text EF stores: byte by byte, big-endian.
        Assert.True(string.CompareOrdinal(before.ToString().ToUpperInvariant(), smallest.ToString().ToUpperInvariant()) < 0);
        Assert.True(string.CompareOrdinal(smallest.ToString().ToUpperInvariant(), at.ToString().ToUpperInvariant()) <= 0);
        Assert.Equal(7, smallest.Version);
    }

    [Fact]
    public void A_batchs_ids_are_distinct_ascending_version_7_ids_of_its_millisecond()
    {
        var received = DateTimeOffset.Parse("2025-03-01T12:00:00.123Z");
        var ids = UsageWriter.Version7Ids(received, 1_000);

        var texts = ids.Select(id => id.ToString().ToUpperInvariant()).ToList();
        Assert.Equal(texts.Order(StringComparer.Ordinal), texts);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0b10, id.ToByteArray(bigEndian: true)[8] >> 6)); // the RFC 9562 variant
        Assert.True(string.CompareOrdinal(UsageWriter.SmallestVersion7Id(received).ToString().ToUpperInvariant(), texts[0]) <= 0);
        Assert.True(string.CompareOrdinal(texts[^1], UsageWriter.SmallestVersion7Id(received.AddMilliseconds(1)).ToString().ToUpperInvariant()) < 0);
    }

    [Fact]
    public void A_retention_that_would_forget_duplicates_stops_the_host()
    {
        using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Metering:EventRetention"] = "30.00:00:00" });
        var error = Assert.ThrowsAny<Exception>(() => host.Services);
        Assert.Contains("Metering:EventRetention", error.ToString(), StringComparison.Ordinal);
    }
}
