using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Plans as data: operators define prices and quotas per plan key; configuration only seeds them.</summary>
public sealed class PlanTests(PostgresServer postgres)
{
    private static object ProPlan(string key = "pro") => new
    {
        key,
        name = "Pro",
        currency = "EUR",
        charges = new object[]
        {
            new { meter = "api-calls", model = "Graduated", tiers = new object[] { new { upTo = 100, unitPrice = 1 }, new { unitPrice = 0.5 } } },
            new { meter = "api-calls", model = "package", amount = 10, packageSize = 100, includedQuantity = 0.25 },
        },
        quotas = new object[] { new { meter = "api-calls", limit = 1000, enforcement = "Hard" } },
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Operators_define_change_and_delete_plans(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var op = Operator(host);

        var created = await op.PostAsJsonAsync(MeteringRoutes.Plans, ProPlan(), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(MeteringRoutes.Plan("pro"), created.Headers.Location?.ToString());
        var plan = (await created.Content.ReadFromJsonAsync<PlanDto>(Ct))!;
        Assert.Equal(("EUR", "Package", 0.25m), (plan.Currency, plan.Charges[1].Model, plan.Charges[1].IncludedQuantity)); // the model's canonical name, exact decimals
        Assert.Equal([(100m, 1m), ((decimal?)null, 0.5m)], plan.Charges[0].Tiers!.Select(t => (t.UpTo, t.UnitPrice)));

        await (await op.PostAsJsonAsync(MeteringRoutes.Plans, ProPlan(), Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        var changed = await op.PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "usd", charges = new[] { new { meter = "api-calls", model = "PerUnit", unitPrice = 0.001m } } }, Ct);
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync(Ct));
        var read = (await op.GetFromJsonAsync<PlanDto>(MeteringRoutes.Plan("pro"), Ct))!;
        Assert.Equal(("USD", 0.001m), (read.Currency, Assert.Single(read.Charges).UnitPrice));
        Assert.Empty(read.Quotas);
        Assert.Single((await op.GetFromJsonAsync<List<PlanDto>>(MeteringRoutes.Plans, Ct))!);

        Assert.Equal(HttpStatusCode.OK, (await op.DeleteAsync(MeteringRoutes.Plan("pro"), Ct)).StatusCode);
        await (await op.GetAsync(MeteringRoutes.Plan("pro"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await op.DeleteAsync(MeteringRoutes.Plan("pro"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await op.PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "USD" }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    public static TheoryData<string, object> BadPlans => new()
    {
        { "key", new { key = "Not A Key", currency = "USD" } },
        { "currency", new { key = "p", currency = "XYZ" } },
        { "currency", new { key = "p", currency = "" } },
        { "charges[0].model", new { key = "p", currency = "USD", charges = new[] { new { meter = "api-calls", model = "Median" } } } },
        { "charges[0].meter", new { key = "p", currency = "USD", charges = new[] { new { meter = "no-such-meter", model = "Flat" } } } },
        { "charges[0].packageSize", new { key = "p", currency = "USD", charges = new[] { new { meter = "api-calls", model = "Package", amount = 10, packageSize = 0 } } } },
        { "charges[0].tiers", new { key = "p", currency = "USD", charges = new[] { new { meter = "api-calls", model = "Volume", tiers = new object[] { new { upTo = 100, unitPrice = 1 }, new { upTo = 50, unitPrice = 1 }, new { unitPrice = 1 } } } } } },
        { "charges[0].tiers", new { key = "p", currency = "USD", charges = new[] { new { meter = "api-calls", model = "Graduated", tiers = new object[] { new { upTo = 100, unitPrice = 1 } } } } } },
        { "charges[0].unitPrice", new { key = "p", currency = "USD", charges = new[] { new { meter = "api-calls", model = "PerUnit", unitPrice = -1 } } } },
        { "quotas[0].enforcement", new { key = "p", currency = "USD", quotas = new[] { new { meter = "api-calls", limit = 10, enforcement = "Maybe" } } } },
        { "quotas[0].meter", new { key = "p", currency = "USD", quotas = new[] { new { meter = "nope", limit = 10, enforcement = "Soft" } } } },
        { "quotas", new { key = "p", currency = "USD", quotas = new[] { new { meter = "api-calls", limit = 10, enforcement = "Soft" }, new { meter = "api-calls", limit = 20, enforcement = "Hard" } } } },
    };

    [Theory]
    [MemberData(nameof(BadPlans))]
    public async Task A_bad_plan_is_refused_naming_the_field(string field, object plan)
    {
        await using var host = ModularHost.OnSqlite();
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var problem = await (await Operator(host).PostAsJsonAsync(MeteringRoutes.Plans, plan, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        problem.AssertNamesField(field);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Only_operators_change_plans_and_callers_must_sign_in(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        (await Operator(host).PostAsJsonAsync(MeteringRoutes.Plans, ProPlan(), Ct)).EnsureSuccessStatusCode();
        var member = Ingester(host, "acme");

        await (await member.PostAsJsonAsync(MeteringRoutes.Plans, ProPlan("mine"), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "USD" }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.DeleteAsync(MeteringRoutes.Plan("pro"), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await Member(host, "acme", MeteringPermissions.Ingest).GetAsync(MeteringRoutes.Plans, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClient().GetAsync(MeteringRoutes.Plans, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await host.CreateClient().PostAsJsonAsync(MeteringRoutes.Plans, ProPlan("mine"), Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        Assert.Equal("pro", Assert.Single((await member.GetFromJsonAsync<List<PlanDto>>(MeteringRoutes.Plans, Ct))!).Key); // reading them is fine

        var op = Operator(host);
        await (await op.PostAsync(MeteringRoutes.Plans, new StringContent("{", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await op.PostAsync(MeteringRoutes.Plans, new StringContent("""{"key":"p","currency":"USD","charges":"lots"}""", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        (await (await op.PostAsync(MeteringRoutes.Plans, new StringContent("""{"key":"p"}""", Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("currency");
        (await (await op.PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "ZZZ" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("currency");
    }

    [Fact]
    public async Task An_oversize_plan_is_refused_with_413()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Kestrel:Limits:MaxRequestBodySize"] = "4096" });
        host.UseKestrel(0);
        host.StartServer();

        var huge = JsonSerializer.Serialize(new { key = "p", currency = "USD", name = new string('x', 10_000) });
        var response = await Operator(host).PostAsync(MeteringRoutes.Plans, new StringContent(huge, Encoding.UTF8, "application/json"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ProblemTypes.PayloadTooLarge);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Configuration_seeds_plans_once_and_never_overwrites_an_operators_edit(DatabaseProvider provider)
    {
        var seed = new Dictionary<string, string?>
        {
            ["Metering:Plans:pro:Currency"] = "USD",
            ["Metering:Plans:pro:Charges:0:Meter"] = "api-calls",
            ["Metering:Plans:pro:Charges:0:Model"] = "PerUnit",
            ["Metering:Plans:pro:Charges:0:UnitPrice"] = "0.01",
            ["Metering:Plans:pro:Quotas:0:Meter"] = "api-calls",
            ["Metering:Plans:pro:Quotas:0:Limit"] = "1000",
        };
        await using var first = await ModularHost.StartAsync(provider, postgres, seed);
        var op = Operator(first);
        var seeded = (await op.GetFromJsonAsync<PlanDto>(MeteringRoutes.Plan("pro"), Ct))!;
        Assert.Equal(("USD", 0.01m, 1000m, "Hard"), (seeded.Currency, seeded.Charges[0].UnitPrice, seeded.Quotas[0].Limit, seeded.Quotas[0].Enforcement));
        await CreateMeterAsync(first, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        (await op.PutAsJsonAsync(MeteringRoutes.Plan("pro"), new { currency = "EUR", charges = new[] { new { meter = "api-calls", model = "PerUnit", unitPrice = 0.02m } } }, Ct)).EnsureSuccessStatusCode();

        // A second instance on the same database starts with the same configuration: the edit stays.
        await using var second = first.AnotherInstance();
        var after = (await Operator(second).GetFromJsonAsync<PlanDto>(MeteringRoutes.Plan("pro"), Ct))!;
        Assert.Equal(("EUR", 0.02m), (after.Currency, after.Charges[0].UnitPrice));
        Assert.Single((await Operator(second).GetFromJsonAsync<List<PlanDto>>(MeteringRoutes.Plans, Ct))!);
    }
}
