using System.Net;
using System.Net.Http.Json;
using Modular.Kernel.Errors;
using Modular.Metering.Contracts;
using static Modular.Metering.Tests.MeteringApi;

namespace Modular.Metering.Tests;

/// <summary>Meters: defined by platform operators, read by anyone allowed to read usage.</summary>
public sealed class MeterTests
{
    [Fact]
    public async Task Operators_define_rename_and_delete_meters()
    {
        await using var host = ModularHost.OnSqlite();
        var op = Operator(host);
        var created = await op.PostAsJsonAsync(MeteringRoutes.Meters, new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.usage.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(MeteringRoutes.Meter("tokens"), created.Headers.Location?.ToString());

        await (await op.PostAsJsonAsync(MeteringRoutes.Meters, new { key = "tokens", name = "Again", eventType = "x", aggregation = "COUNT" }, Ct))
            .AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        var renamed = await op.PutAsJsonAsync(MeteringRoutes.Meter("tokens"), new { name = "LLM tokens", description = "Prompt and completion" }, Ct);
        Assert.Equal("LLM tokens", (await renamed.Content.ReadFromJsonAsync<MeterDto>(Ct))!.Name);
        var listed = Assert.Single((await op.GetFromJsonAsync<List<MeterDto>>(MeteringRoutes.Meters, Ct))!);
        Assert.Equal(("LLM tokens", "$.usage.tokens", "$.model"), (listed.Name, listed.ValuePath, listed.GroupBy["model"]));

        Assert.Equal(HttpStatusCode.OK, (await op.DeleteAsync(MeteringRoutes.Meter("tokens"), Ct)).StatusCode);
        await (await op.GetAsync(MeteringRoutes.Meter("tokens"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await op.DeleteAsync(MeteringRoutes.Meter("tokens"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await op.PutAsJsonAsync(MeteringRoutes.Meter("tokens"), new { name = "x" }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    public static TheoryData<string, object> BadMeters => new()
    {
        { "key", new { key = "Not A Key", name = "n", eventType = "t", aggregation = "COUNT" } },
        { "key", new { key = "", name = "n", eventType = "t", aggregation = "COUNT" } },
        { "name", new { key = "k", name = "", eventType = "t", aggregation = "COUNT" } },
        { "eventType", new { key = "k", name = "n", eventType = "", aggregation = "COUNT" } },
        { "aggregation", new { key = "k", name = "n", eventType = "t", aggregation = "MEDIAN" } },
        { "valuePath", new { key = "k", name = "n", eventType = "t", aggregation = "SUM" } },
        { "valuePath", new { key = "k", name = "n", eventType = "t", aggregation = "SUM", valuePath = "$..[?(@.x)]" } },
        { "groupBy", new { key = "k", name = "n", eventType = "t", aggregation = "COUNT", groupBy = new Dictionary<string, string> { ["subject"] = "$.s" } } },
        { "groupBy", new { key = "k", name = "n", eventType = "t", aggregation = "COUNT", groupBy = new Dictionary<string, string> { ["region"] = "not a path" } } },
    };

    [Theory]
    [MemberData(nameof(BadMeters))]
    public async Task A_bad_meter_is_refused_naming_the_field(string field, object meter)
    {
        await using var host = ModularHost.OnSqlite();
        var problem = await (await Operator(host).PostAsJsonAsync(MeteringRoutes.Meters, meter, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        problem.AssertNamesField(field);
    }

    [Fact]
    public async Task Only_operators_change_meters()
    {
        await using var host = ModularHost.OnSqlite();
        await CreateTenantAsync(host, "acme");
        await CreateMeterAsync(host, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        var member = Ingester(host, "acme");
        var meter = new { key = "mine", name = "n", eventType = "t", aggregation = "COUNT" };

        await (await member.PostAsJsonAsync(MeteringRoutes.Meters, meter, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.PutAsJsonAsync(MeteringRoutes.Meter("api-calls"), new { name = "x" }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await member.DeleteAsync(MeteringRoutes.Meter("api-calls"), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await host.CreateClient().PostAsJsonAsync(MeteringRoutes.Meters, meter, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        Assert.Single((await member.GetFromJsonAsync<List<MeterDto>>(MeteringRoutes.Meters, Ct))!); // reading them is fine
        (await (await Operator(host).PutAsJsonAsync(MeteringRoutes.Meter("api-calls"), new { name = "" }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("name");
        await (await Operator(host).PostAsync(MeteringRoutes.Meters, new StringContent("{", System.Text.Encoding.UTF8, "application/json"), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
    }
}
