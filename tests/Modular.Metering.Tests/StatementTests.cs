using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using Modular.Metering.UseCases.CloseBillingPeriod;
using Modular.Tenants.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Closed billing periods: computed once, frozen, exported; the cut-off follows the tenant's time zone.</summary>
public sealed class StatementTests(PostgresServer postgres)
{

    private static readonly Dictionary<string, string?> ProPlan = new()
    {
        ["Metering:Plans:pro:Currency"] = "USD",
        ["Metering:Plans:pro:Charges:0:Meter"] = "api-calls",
        ["Metering:Plans:pro:Charges:0:Model"] = "Graduated",
        ["Metering:Plans:pro:Charges:0:Tiers:0:UpTo"] = "100",
        ["Metering:Plans:pro:Charges:0:Tiers:0:UnitPrice"] = "1",
        ["Metering:Plans:pro:Charges:0:Tiers:1:UnitPrice"] = "0.5",
    };

    /// <summary>The start of the current calendar month in UTC: events an hour before it belong to last month.</summary>
    private static DateTimeOffset ThisMonthUtc
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            return new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        }
    }

    private static async Task<(ModularHost Host, HttpClient Acme)> StartWithUsageAsync(DatabaseProvider provider, PostgresServer postgres, int lastMonthCalls = 150)
    {
        var host = await ModularHost.StartAsync(provider, postgres, ProPlan);
        var admin = host.CreateClientAs("operator", "tenants.manage");
        (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme", plan = "pro" }, Ct)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "globex", name = "Globex", plan = "pro" }, Ct)).EnsureSuccessStatusCode();
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var acme = Member(host, "acme", MeteringPermissions.Ingest, MeteringPermissions.Read, MeteringPermissions.Manage, MeteringPermissions.BillingManage);
        var lastMonth = ThisMonthUtc.AddHours(-1);
        await SendOkAsync(acme, Enumerable.Range(0, lastMonthCalls).Select(i => Event($"old-{i}", time: lastMonth)).ToArray(), BatchMediaType);
        await SendOkAsync(acme, Enumerable.Range(0, 7).Select(i => Event($"now-{i}")).ToArray(), BatchMediaType); // this month: not in last month's statement
        return (host, acme);
    }

    private static async Task<StatementDto> CloseAsync(HttpClient client, object? body = null)
    {
        var response = await client.PostAsJsonAsync(MeteringRoutes.Statements, body ?? new { }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<StatementDto>(Ct))!;
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_period_closes_once_and_its_statement_stays_frozen(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres);
        await using var _ = host;

        var statement = await CloseAsync(acme);
        Assert.Equal((ThisMonthUtc.AddMonths(-1), ThisMonthUtc, "UTC", "pro", "USD"), (statement.PeriodStart, statement.PeriodEnd, statement.TimeZone, statement.Plan, statement.Currency));
        Assert.Equal(new StatementLineDto("api-calls", "Graduated", 150m, 125m, "USD"), Assert.Single(statement.Lines));
        Assert.Equal(125m, statement.Total);

        // A late event of that period and a price change: closing again closes nothing new.
        await SendOkAsync(acme, Event("late-1", time: ThisMonthUtc.AddMinutes(-30)));
        (await Operator(host).PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "EUR", charges = new[] { new { meter = "api-calls", model = "Flat", amount = 1 } } }, Ct)).EnsureSuccessStatusCode();
        var again = await CloseAsync(acme, new { period = ThisMonthUtc.AddMonths(-1).ToString("yyyy-MM") });
        Assert.Equivalent(statement, again, strict: true);
        Assert.Equivalent(statement, Assert.Single((await acme.GetFromJsonAsync<List<StatementDto>>(MeteringRoutes.Statements, Ct))!), strict: true);
        Assert.Equivalent(statement, await acme.GetFromJsonAsync<StatementDto>(MeteringRoutes.Statement(statement.Id), Ct), strict: true);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Concurrent_closes_of_one_period_leave_one_statement(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres);
        await using var _ = host;

        var statements = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CloseAsync(Member(host, "acme", MeteringPermissions.Manage))));

        Assert.Single(statements.Select(s => s.Id).Distinct());
        Assert.Single((await acme.GetFromJsonAsync<List<StatementDto>>(MeteringRoutes.Statements, Ct))!);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_statement_exports_as_rfc4180_csv_and_as_json(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres, lastMonthCalls: 3);
        await using var _ = host;
        (await Operator(host).PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "EUR", charges = new[] { new { meter = "api-calls", model = "PerUnit", unitPrice = 1234.5m } } }, Ct)).EnsureSuccessStatusCode();
        var statement = await CloseAsync(acme);

        var csv = await acme.GetAsync($"{MeteringRoutes.StatementExport(statement.Id)}?format=csv", Ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        var start = ThisMonthUtc.AddMonths(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var end = ThisMonthUtc.ToString("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Equal(
            "statement_id,plan,period_start,period_end,time_zone,meter,model,quantity,amount,currency\r\n" +
            $"{statement.Id},pro,{start},{end},UTC,api-calls,PerUnit,3,3703.5,EUR\r\n",
            await csv.Content.ReadAsStringAsync(Ct));
        Assert.Equal(await csv.Content.ReadAsStringAsync(Ct), await (await acme.GetAsync(MeteringRoutes.StatementExport(statement.Id), Ct)).Content.ReadAsStringAsync(Ct)); // CSV by default

        var json = await acme.GetAsync($"{MeteringRoutes.StatementExport(statement.Id)}?format=json", Ct);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", json.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equivalent(statement, await json.Content.ReadFromJsonAsync<StatementDto>(Ct), strict: true);

        (await (await acme.GetAsync($"{MeteringRoutes.StatementExport(statement.Id)}?format=xml", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("format");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Tenants_see_only_their_own_statements_and_need_the_permissions(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres);
        await using var _ = host;
        var statement = await CloseAsync(acme);
        var globex = Member(host, "globex", MeteringPermissions.Read, MeteringPermissions.Manage);

        await (await globex.GetAsync(MeteringRoutes.Statement(statement.Id), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await globex.GetAsync($"{MeteringRoutes.StatementExport(statement.Id)}?format=csv", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Empty((await globex.GetFromJsonAsync<List<StatementDto>>(MeteringRoutes.Statements, Ct))!);
        Assert.Equal(0m, Assert.Single((await CloseAsync(globex)).Lines).Quantity); // globex's own period: none of acme's usage

        await (await acme.GetAsync(MeteringRoutes.Statement(Guid.NewGuid()), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await Operator(host).GetAsync(MeteringRoutes.Statements, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound); // no tenant in scope
        await (await Member(host, "acme", MeteringPermissions.Ingest).GetAsync(MeteringRoutes.Statements, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await Member(host, "acme", MeteringPermissions.Read).PostAsJsonAsync(MeteringRoutes.Statements, new { }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClient().GetAsync(MeteringRoutes.Statement(statement.Id), Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await host.CreateClient().PostAsJsonAsync(MeteringRoutes.Statements, new { }, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Bad_close_requests_are_refused(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres);
        await using var _ = host;

        await (await acme.PostAsJsonAsync(MeteringRoutes.Statements, new { period = DateTimeOffset.UtcNow.ToString("yyyy-MM") }, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict); // not ended yet
        (await (await acme.PostAsJsonAsync(MeteringRoutes.Statements, new { period = "2026-13" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("period");
        (await (await acme.PostAsJsonAsync(MeteringRoutes.Statements, new { period = "last month" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("period");
        await (await acme.PostAsync(MeteringRoutes.Statements, new StringContent("{", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await acme.PostAsync(MeteringRoutes.Statements, new StringContent("""{"period":42}""", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await acme.GetAsync($"{MeteringRoutes.Statements}/not-a-guid", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        // A tenant whose plan has no prices has nothing to bill.
        (await host.CreateClientAs("operator", "tenants.manage").PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "initech", name = "Initech" }, Ct)).EnsureSuccessStatusCode();
        await (await Member(host, "initech", MeteringPermissions.Manage).PostAsJsonAsync(MeteringRoutes.Statements, new { }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Fact]
    public async Task Oversize_bodies_are_refused_with_413()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Kestrel:Limits:MaxRequestBodySize"] = "4096" });
        host.UseKestrel(0);
        host.StartServer();
        await CreateTenantAsync(host, "acme");
        var acme = Member(host, "acme", MeteringPermissions.Manage, MeteringPermissions.BillingManage);
        var huge = System.Text.Json.JsonSerializer.Serialize(new { period = "2026-10", timeZone = "UTC", padding = new string('x', 10_000) });

        await (await acme.PostAsync(MeteringRoutes.Statements, new StringContent(huge, Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ProblemTypes.PayloadTooLarge);
        await (await acme.PutAsync(MeteringRoutes.BillingProfile, new StringContent(huge, Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ProblemTypes.PayloadTooLarge);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_period_follows_the_tenants_billing_time_zone(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres);
        await using var _ = host;
        Assert.Equal(new BillingProfileDto("UTC", IsDefault: true), await acme.GetFromJsonAsync<BillingProfileDto>(MeteringRoutes.BillingProfile, Ct));

        // The usage sent an hour before the UTC month is already this month in Tokyo (UTC+9, no DST).
        var set = await acme.PutAsJsonAsync(MeteringRoutes.BillingProfile, new { timeZone = "Asia/Tokyo" }, Ct);
        Assert.Equal(new BillingProfileDto("Asia/Tokyo", IsDefault: false), await set.Content.ReadFromJsonAsync<BillingProfileDto>(Ct));
        var statement = await CloseAsync(acme);
        Assert.Equal((ThisMonthUtc.AddMonths(-1).AddHours(-9), ThisMonthUtc.AddHours(-9), "Asia/Tokyo"), (statement.PeriodStart, statement.PeriodEnd, statement.TimeZone));
        Assert.Equal(0m, Assert.Single(statement.Lines).Quantity);

        // Changing the zone afterwards would bill the overlap twice: refused.
        (await acme.PutAsJsonAsync(MeteringRoutes.BillingProfile, new { timeZone = "America/New_York" }, Ct)).EnsureSuccessStatusCode();
        await (await acme.PostAsJsonAsync(MeteringRoutes.Statements, new { }, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        foreach (var bad in new[] { "Mars/Olympus", "", "Central European Standard Time" })
        {
            (await (await acme.PutAsJsonAsync(MeteringRoutes.BillingProfile, new { timeZone = bad }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("timeZone");
        }

        await (await acme.PutAsync(MeteringRoutes.BillingProfile, new StringContent("{", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await Member(host, "acme", MeteringPermissions.Read).PutAsJsonAsync(MeteringRoutes.BillingProfile, new { timeZone = "UTC" }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClient().GetAsync(MeteringRoutes.BillingProfile, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await Operator(host).GetAsync(MeteringRoutes.BillingProfile, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Equal("UTC", (await Member(host, "globex", MeteringPermissions.Read).GetFromJsonAsync<BillingProfileDto>(MeteringRoutes.BillingProfile, Ct))!.TimeZone); // acme's zone is acme's
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_background_closer_closes_every_tenants_ended_period_once(DatabaseProvider provider)
    {
        var (host, acme) = await StartWithUsageAsync(provider, postgres);
        await using var _ = host;
        var closer = host.Services.GetRequiredService<PeriodCloser>();

        Assert.True(await closer.CloseEndedPeriodsAsync(Ct));
        Assert.True(await closer.CloseEndedPeriodsAsync(Ct));

        var statement = Assert.Single((await acme.GetFromJsonAsync<List<StatementDto>>(MeteringRoutes.Statements, Ct))!);
        Assert.Equal((ThisMonthUtc.AddMonths(-1), 150m), (statement.PeriodStart, statement.Lines[0].Quantity));
        Assert.Single((await Member(host, "globex", MeteringPermissions.Read).GetFromJsonAsync<List<StatementDto>>(MeteringRoutes.Statements, Ct))!);
        Assert.Equivalent(statement, await CloseAsync(acme), strict: true); // closing by hand afterwards finds it
    }
}
