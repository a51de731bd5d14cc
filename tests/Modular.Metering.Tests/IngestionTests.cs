using System.Net;
using System.Text;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>CloudEvents ingestion: idempotency, all-or-nothing batches, the time window, statuses; on both providers.</summary>
public sealed class IngestionTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_same_event_counts_once_and_the_same_id_from_another_source_is_another_event(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var client = Ingester(host, "acme");

        Assert.Equal(new UsageRecorded(1, 1, 0), await SendOkAsync(client, Event("e-1")));
        Assert.Equal(new UsageRecorded(1, 0, 1), await SendOkAsync(client, Event("e-1")));
        Assert.Equal(new UsageRecorded(1, 1, 0), await SendOkAsync(client, Event("e-1", source: "billing-worker")));

        // Within one batch and across batches alike.
        Assert.Equal(new UsageRecorded(3, 1, 2), await SendOkAsync(client, new[] { Event("e-2"), Event("e-2"), Event("e-1") }, BatchMediaType));

        var total = await QueryAsync(client, "api-calls", AroundNow());
        Assert.Equal(3, Assert.Single(total.Rows).Value);
        Assert.Equal(3, (await ListEventsAsync(client)).Count);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_batch_with_one_bad_event_is_refused_naming_its_index_and_nothing_is_stored(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        var client = Ingester(host, "acme");
        var bad = Event("e-3");
        bad.Remove("source");

        var problem = await (await SendAsync(client, new[] { Event("e-1"), Event("e-2"), bad, Event("e-4") }, BatchMediaType))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ProblemTypes.Validation);
        Assert.Contains("[2]", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("source", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var late = Event("e-5", time: DateTimeOffset.UtcNow.AddDays(-40));
        problem = await (await SendAsync(client, new[] { Event("e-1"), late }, "application/json"))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ProblemTypes.Validation);
        Assert.Contains("[1]", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Empty(await ListEventsAsync(client));
    }

    [Theory]
    [InlineData("specversion")]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    public async Task A_missing_cloudevents_attribute_is_refused_naming_it(string attribute)
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        var client = Ingester(host, "acme");
        var e = Event("e-1");
        e.Remove(attribute);

        (await (await SendAsync(client, e)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(attribute);
        e[attribute] = "";
        (await (await SendAsync(client, e)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(attribute);
        e[attribute] = 42;
        (await (await SendAsync(client, e)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(attribute);
        Assert.Empty(await ListEventsAsync(client));
    }

    [Theory]
    [InlineData("id", 128)]
    [InlineData("source", 256)]
    [InlineData("type", 128)]
    [InlineData("subject", 256)]
    public async Task An_attribute_longer_than_it_is_stored_is_refused_naming_it_and_the_longest_allowed_is_stored(string attribute, int maxLength)
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        var client = Ingester(host, "acme");
        var tooLong = Event("e-1");
        tooLong[attribute] = new string('x', maxLength + 1);

        (await (await SendAsync(client, tooLong)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(attribute);
        var problem = await (await SendAsync(client, new[] { Event("e-2"), tooLong }, BatchMediaType))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ProblemTypes.Validation);
        Assert.Contains($"[1] is invalid ({attribute}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await ListEventsAsync(client));

        var longest = Event("e-3");
        longest[attribute] = new string('x', maxLength);
        Assert.Equal(1, (await SendOkAsync(client, longest)).Stored);
    }

    [Fact]
    public async Task Garbage_is_refused_with_problem_details()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        var client = Ingester(host, "acme");

        var wrongVersion = Event("e-1");
        wrongVersion["specversion"] = "0.3";
        (await (await SendAsync(client, wrongVersion)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("specversion");
        var badTime = Event("e-1");
        badTime["time"] = "yesterday";
        (await (await SendAsync(client, badTime)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("time");
        var longId = Event(new string('x', 129));
        (await (await SendAsync(client, longId)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("id");

        var notJson = await client.PostAsync(MeteringRoutes.Events, new StringContent("{ nope", Encoding.UTF8, "application/json"), Ct);
        (await notJson.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("body");
        (await (await SendAsync(client, "just a string")).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("body");
        (await (await SendAsync(client, Event("e-1"), BatchMediaType)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("body");
        (await (await SendAsync(client, Array.Empty<object>(), BatchMediaType)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("events");
        await (await SendAsync(client, new[] { Event("e-1"), (object)"not an event" }, BatchMediaType)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ProblemTypes.Validation);
        await (await client.PostAsync(MeteringRoutes.Events, new StringContent("{}", Encoding.UTF8, "text/plain"), Ct))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, ProblemTypes.UnsupportedMediaType);
        Assert.Empty(await ListEventsAsync(client));
    }

    [Fact]
    public async Task More_than_a_thousand_events_in_one_batch_is_too_large()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        var client = Ingester(host, "acme");

        var batch = Enumerable.Range(0, 1001).Select(i => Event($"e-{i}")).ToArray();
        await (await SendAsync(client, batch, BatchMediaType)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ProblemTypes.PayloadTooLarge);
        Assert.Empty(await ListEventsAsync(client));

        Assert.Equal(1000, (await SendOkAsync(client, batch[..1000], BatchMediaType)).Stored);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Events_outside_the_time_window_are_refused(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        var client = Ingester(host, "acme");
        var now = DateTimeOffset.UtcNow;

        (await (await SendAsync(client, Event("old", time: now.AddDays(-36)))).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("time");
        (await (await SendAsync(client, Event("ahead", time: now.AddMinutes(10)))).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("time");
        Assert.Equal(1, (await SendOkAsync(client, Event("late-but-allowed", time: now.AddDays(-34)))).Stored);
        Assert.Equal(1, (await SendOkAsync(client, Event("skewed", time: now.AddMinutes(4)))).Stored);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Events_no_meter_matches_are_kept_and_a_value_a_meter_cannot_use_is_stored_with_its_error_and_not_counted(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "tokens", name = "Tokens", eventType = "llm.completion", aggregation = "SUM", valuePath = "$.tokens" });
        var client = Ingester(host, "acme");

        await SendOkAsync(client, new[]
        {
            Event("ok-1", "llm.completion", new { tokens = 100 }),
            Event("ok-2", "llm.completion", new { tokens = "25.5" }),
            Event("nan", "llm.completion", new { tokens = "lots" }),
            Event("missing", "llm.completion", new { other = 1 }),
            Event("unknown", "no.such.type", new { tokens = 7 }),
        }, BatchMediaType);

        var events = (await ListEventsAsync(client)).ToDictionary(e => e.EventId);
        Assert.Equal(UsageEventStatuses.Counted, events["ok-1"].Status);
        Assert.Equal(UsageEventStatuses.Counted, events["ok-2"].Status);
        Assert.Equal(UsageEventStatuses.Invalid, events["nan"].Status);
        Assert.Contains("number", events["nan"].ValidationError, StringComparison.Ordinal);
        Assert.Equal(UsageEventStatuses.Invalid, events["missing"].Status);
        Assert.Equal(UsageEventStatuses.Unmatched, events["unknown"].Status);
        Assert.Null(events["unknown"].ValidationError);
        Assert.Equal(["unknown"], (await ListEventsAsync(client, "?status=Unmatched")).Select(e => e.EventId));
        Assert.Equal(7, events["unknown"].Data!.Value.GetProperty("tokens").GetInt32());

        Assert.Equal(125.5, Assert.Single((await QueryAsync(client, "tokens", AroundNow())).Rows).Value);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_event_debugger_pages_newest_first_from_the_last_event_seen(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateTenantAsync(host, "globex");
        var acme = Ingester(host, "acme");
        await SendOkAsync(acme, Enumerable.Range(0, 5).Select(i => Event($"first-{i}")).ToArray(), BatchMediaType); // one time of receipt for five
        await SendOkAsync(acme, new[] { Event("second-0"), Event("second-1") }, BatchMediaType);

        var pages = new List<List<UsageEventDto>> { await ListEventsAsync(acme, "?limit=3") };
        while (pages[^1].Count == 3)
        {
            pages.Add(await ListEventsAsync(acme, $"?limit=3&before={pages[^1][^1].Id}"));
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(
            ["second-1", "second-0", "first-4", "first-3", "first-2", "first-1", "first-0"],
            pages.SelectMany(p => p).Select(e => e.EventId));

        // Events arriving between pages neither repeat nor push others off the next page.
        await SendOkAsync(acme, Event("late"));
        Assert.Equal(pages[1].Select(e => e.EventId), (await ListEventsAsync(acme, $"?limit=3&before={pages[0][^1].Id}&type=api.call")).Select(e => e.EventId));

        // Another tenant's event is no cursor, and neither is garbage.
        var globex = Ingester(host, "globex");
        await SendOkAsync(globex, Event("theirs"));
        var theirs = Assert.Single(await ListEventsAsync(globex));
        (await (await acme.GetAsync($"{MeteringRoutes.Events}?before={theirs.Id}", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("before");
        Assert.Equal(HttpStatusCode.BadRequest, (await acme.GetAsync($"{MeteringRoutes.Events}?before=not-an-id", Ct)).StatusCode);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, false)]
    [InlineData(DatabaseProvider.Postgres, true)] // raw batched SQL in transactions, through PgBouncer's transaction pool
    public async Task The_same_event_sent_concurrently_from_two_connections_counts_once(DatabaseProvider provider, bool throughPgBouncer)
    {
        await using var pgBouncer = throughPgBouncer ? await PgBouncerServer.StartAsync(postgres) : null;
        await using var host = pgBouncer is null ? await ModularHost.StartAsync(provider, postgres) : await ModularHost.OnPgBouncerAsync(postgres, pgBouncer);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var batch = Enumerable.Range(0, 200).Select(i => Event($"e-{i}")).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SendOkAsync(Ingester(host, "acme"), batch, BatchMediaType)));

        Assert.Equal(200, results.Sum(r => r.Stored));
        Assert.Equal(600, results.Sum(r => r.Duplicates));
        Assert.Equal(200, Assert.Single((await QueryAsync(Ingester(host, "acme"), "api-calls", AroundNow())).Rows).Value);
    }

    [Fact]
    public async Task Ingestion_needs_a_signed_in_caller_with_the_ingest_permission_and_a_tenant()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");

        await (await SendAsync(host.CreateClient(), Event("e-1"))).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await SendAsync(Member(host, "acme", MeteringPermissions.Read), Event("e-1"))).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        // A platform caller with no tenant has nowhere to record usage.
        await (await SendAsync(host.CreateClientAs("platform", MeteringPermissions.Ingest), Event("e-1"))).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }
}
