using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>
/// Input that answered 500 on PostgreSQL (issue 14): now a 4xx naming the field with nothing stored, or, for what
/// one meter cannot use, an event stored as invalid for that meter while the rest of the batch counts.
/// </summary>
public sealed class BadInputTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_nul_character_in_an_event_attribute_is_refused_naming_it_and_nothing_is_stored(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var client = Ingester(host, "acme");

        foreach (var attribute in new[] { "id", "source", "type", "subject" })
        {
            var bad = Event("e-1");
            bad[attribute] = "a\0b";
            (await (await SendAsync(client, bad)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(attribute);

            var problem = await (await SendAsync(client, new[] { Event("e-2"), bad }, BatchMediaType))
                .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ProblemTypes.Validation);
            Assert.Contains($"[1] is invalid ({attribute}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(await ListEventsAsync(client));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_value_one_meter_cannot_store_marks_the_event_invalid_for_it_and_the_rest_of_the_batch_counts(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "users", name = "Users", eventType = "login", aggregation = "UNIQUE_COUNT", valuePath = "$.user" });
        await CreateMeterAsync(host, new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        });
        var client = Ingester(host, "acme");

        // A NUL in a distinct value, and a group-by value past what the rollup index can hold (~2.7 KB a row on PostgreSQL).
        var recorded = await SendOkAsync(client, new[]
        {
            Event("alice", "login", new { user = "alice" }),
            Event("nul", "login", new { user = "a\0b" }),
            Event("small", "llm.completion", new { tokens = 5, model = "small" }),
            Event("huge", "llm.completion", new { tokens = 7, model = new string('m', 3000) }),
            Event("no-object", "llm.completion", "data that is not an object"),
        }, BatchMediaType);

        Assert.Equal(5, recorded.Stored);
        var events = (await ListEventsAsync(client)).ToDictionary(e => e.EventId);
        Assert.Equal(UsageEventStatuses.Counted, events["alice"].Status);
        Assert.Equal(UsageEventStatuses.Invalid, events["nul"].Status);
        Assert.Contains("'users'", events["nul"].ValidationError, StringComparison.Ordinal);
        Assert.Equal(UsageEventStatuses.Counted, events["small"].Status);
        Assert.Equal(UsageEventStatuses.Invalid, events["huge"].Status);
        Assert.Contains("'model'", events["huge"].ValidationError, StringComparison.Ordinal);
        Assert.Equal(UsageEventStatuses.Invalid, events["no-object"].Status);
        Assert.Equal(1, Assert.Single((await QueryAsync(client, "users", AroundNow())).Rows).Value);
        Assert.Equal(5, Assert.Single((await QueryAsync(client, "tokens", AroundNow())).Rows).Value);
    }

    [Fact]
    public async Task A_path_with_an_index_no_array_can_have_is_refused_when_the_meter_is_defined()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var op = Operator(host);

        var valuePath = await op.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "m", name = "M", eventType = "e", aggregation = "SUM", valuePath = "$.a[99999999999]" }, Ct);
        (await valuePath.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("valuePath");
        var groupBy = await op.PostAsJsonAsync(MeteringRoutes.Meters, new
        {
            key = "m",
            name = "M",
            eventType = "e",
            aggregation = "COUNT",
            groupBy = new Dictionary<string, string> { ["x"] = "$.a[99999999999]" },
        }, Ct);
        (await groupBy.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("groupBy");

        Assert.Empty((await op.GetFromJsonAsync<List<MeterDto>>(MeteringRoutes.Meters, Ct))!);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_stored_meter_whose_path_cannot_be_evaluated_fails_no_event_of_any_tenant(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateTenantAsync(host, "globex");
        await CreateMeterAsync(host, new { key = "calls", name = "Calls", eventType = "api.call", aggregation = "COUNT" });

        // A meter saved before its path was checked (as the API accepted it then), straight into the table.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            var db = scope.ServiceProvider.GetRequiredService<MeteringDbContext>();
            db.Meters.Add(Meter.Create(new CreateMeter("broken", "Broken", "api.call", MeterAggregations.Sum, "$.a[99999999999]"), DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(Ct);
        }

        foreach (var tenant in new[] { "acme", "globex" })
        {
            var client = Ingester(host, tenant);
            await SendOkAsync(client, Event($"{tenant}-1", data: new { a = new[] { 1 } }));

            var stored = Assert.Single(await ListEventsAsync(client));
            Assert.Equal(UsageEventStatuses.Invalid, stored.Status);
            Assert.Contains("'broken'", stored.ValidationError, StringComparison.Ordinal);
            Assert.Equal(1, Assert.Single((await QueryAsync(client, "calls", AroundNow())).Rows).Value);
        }
    }

    [Fact]
    public async Task Meter_queries_that_used_to_fail_are_refused_naming_the_parameter()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        });
        var client = Ingester(host, "acme");
        await SendOkAsync(client, Event("e-1", "llm.completion", new { tokens = 5, model = "small" }));
        var ok = AroundNow();

        async Task Refused(string query, string field) =>
            (await (await client.GetAsync($"{MeteringRoutes.MeterQuery("tokens")}?{query}", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
                .AssertNamesField(field);
        await Refused(ok + "&groupBy=model&groupBy=model", "groupBy");
        await Refused(ok + "&subject=a%00b", "subject");
        await Refused("from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&windowSize=MONTH", "from");
        await Refused("from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:00Z", "to");
        await Refused("from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&windowSize=DAY", "windowSize");

        // The widest range still answers in one window, and the most months allowed come back one row each (Budapest's
        // January 1970 starts in 1969 in UTC, so the range touches 8,761 of its months).
        Assert.Equal(5, Assert.Single((await QueryAsync(client, "tokens", "from=1970-01-01T00:00:00Z&to=9999-01-01T00:00:00Z")).Rows).Value);
        var months = await QueryAsync(client, "tokens", "from=1970-01-01T00:00:00Z&to=2700-01-01T00:00:00Z&windowSize=MONTH&windowTimeZone=Europe/Budapest");
        Assert.Equal(730 * 12 + 1, months.Rows.Count);
    }

    [Fact]
    public async Task A_billing_profile_without_a_time_zone_is_refused_naming_it()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        await CreateTenantAsync(host, "acme");
        var admin = Member(host, "acme", MeteringPermissions.BillingManage, MeteringPermissions.Read);

        foreach (var body in new[] { "{}", """{"timeZone":null}""" })
        {
            var response = await admin.PutAsync(MeteringRoutes.BillingProfile, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("timeZone");
        }

        Assert.True((await admin.GetFromJsonAsync<BillingProfileDto>(MeteringRoutes.BillingProfile, Ct))!.IsDefault);
    }

    [Fact]
    public async Task A_nul_character_in_any_other_field_is_refused_naming_it()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        await CreateTenantAsync(host, "acme");
        var op = Operator(host);
        var client = Ingester(host, "acme");

        var meter = await op.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "m", name = "a\0b", eventType = "e", aggregation = "COUNT" }, Ct);
        (await meter.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("name");
        var plan = await op.PostAsJsonAsync(MeteringRoutes.Plans, new { key = "p", currency = "EUR", quotas = new[] { new { meter = "a\0b", limit = 1 } } }, Ct);
        (await plan.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("quotas[0].meter");
        var events = await client.GetAsync($"{MeteringRoutes.Events}?type=a%00b", Ct);
        (await events.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("type");

        Assert.Empty((await op.GetFromJsonAsync<List<MeterDto>>(MeteringRoutes.Meters, Ct))!);
        Assert.DoesNotContain((await op.GetFromJsonAsync<List<PlanDto>>(MeteringRoutes.Plans, Ct))!, p => p.Key == "p");
    }
}
