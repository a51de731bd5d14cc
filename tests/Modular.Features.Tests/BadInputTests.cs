using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Modular.Features.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;

namespace Modular.Features.Tests;

/// <summary>Every way a caller can get the flags API wrong, and the problem details it gets back.</summary>
public sealed class BadInputTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, object, string> InvalidDefinitions => new()
    {
        { "unknown filter", new { key = "f", filters = new[] { new { name = "Microsoft.Bogus" } } }, "filters[0].name" },
        { "percentage above 100", new { key = "f", filters = new[] { FlagsApi.Rollout(101) } }, "filters[0].parameters" },
        { "percentage below 0", new { key = "f", filters = new[] { new { name = "Percentage", parameters = new { value = -1 } } } }, "filters[0].parameters" },
        { "rollout by nonsense", new { key = "f", filters = new[] { FlagsApi.Rollout(10, by: "Planet") } }, "filters[0].parameters" },
        { "targeting without audience", new { key = "f", filters = new[] { new { name = "Targeting" } } }, "filters[0].parameters" },
        { "targeting group above 100", new { key = "f", filters = new[] { new { name = "Targeting", parameters = new { audience = new { groups = new[] { new { name = "g", rolloutPercentage = 120 } } } } } } }, "filters[0].parameters" },
        { "window ending before it starts", new { key = "f", filters = new[] { Window("2030-01-02T00:00:00Z", "2030-01-01T00:00:00Z") } }, "filters[0].parameters" },
        { "window with a garbage date", new { key = "f", filters = new[] { Window("soon", "2030-01-01T00:00:00Z") } }, "filters[0].parameters" },
        { "window with no bounds", new { key = "f", filters = new[] { new { name = "TimeWindow", parameters = new { } } } }, "filters[0].parameters" },
        { "overlapping windows", new { key = "f", filters = new[] { Window("2030-01-01T00:00:00Z", "2030-01-10T00:00:00Z"), Window("2030-01-05T00:00:00Z", "2030-01-20T00:00:00Z") } }, "filters" },
        { "recurrence longer than its period", new { key = "f", filters = new[] { RecurringWindow("2030-01-01T00:00:00Z", "2030-01-03T00:00:00Z", "Daily") } }, "filters[0].parameters" },
        { "recurrence of unknown pattern", new { key = "f", filters = new[] { RecurringWindow("2030-01-01T08:00:00Z", "2030-01-01T10:00:00Z", "Hourly") } }, "filters[0].parameters" },
        { "allocation short of 100", new { key = "f", variants = Variants, allocation = new { percentile = new[] { new { variant = "a", from = 0, to = 50 }, new { variant = "b", from = 50, to = 90 } } } }, "allocation.percentile" },
        { "allocation overlapping", new { key = "f", variants = Variants, allocation = new { percentile = new[] { new { variant = "a", from = 0, to = 60 }, new { variant = "b", from = 50, to = 100 } } } }, "allocation.percentile" },
        { "allocation to an unknown variant", new { key = "f", variants = Variants, allocation = new { defaultWhenEnabled = "c" } }, "allocation" },
        { "duplicate variant names", new { key = "f", variants = new[] { new { name = "a" }, new { name = "a" } } }, "variants" },
        { "bad key", new { key = "9 lives" }, "key" },
        { "reserved key", new { key = "evaluate" }, "key" },
        { "missing key", new { description = "no key" }, "key" },
        { "unknown type", new { key = "f", type = "whim" }, "type" },
        { "unknown requirement type", new { key = "f", requirementType = "Most" }, "requirementType" },
        { "oversized description", new { key = "f", description = new string('x', 501) }, "description" },
    };

    private static object[] Variants => [new { name = "a" }, new { name = "b" }];

    [Theory]
    [MemberData(nameof(InvalidDefinitions))]
    public async Task An_invalid_definition_is_refused_naming_the_field(string why, object body, string field)
    {
        await using var host = ModularHost.OnSqlite();

        var response = await host.Operate().PostAsJsonAsync(FeaturesRoutes.Features, body, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        problem.AssertNamesField(field);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public async Task Garbage_missing_and_oversized_bodies_are_refused()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.Operate();

        var garbage = await client.PostAsync(FeaturesRoutes.Features, new StringContent("{not json", Encoding.UTF8, "application/json"), Ct);
        await garbage.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);

        var wrongType = await client.PostAsync(FeaturesRoutes.Features, new StringContent("""{"key":"f","enabled":"yes"}""", Encoding.UTF8, "application/json"), Ct);
        (await wrongType.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest)).AssertNamesField("enabled");

        var empty = await client.PostAsync(FeaturesRoutes.Features, new StringContent("", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        await host.CreateFlagAsync(new { key = "f" });
        var noEnabled = await client.PutAsJsonAsync(FeaturesRoutes.FlagEnabled("f"), new { reason = "forgot" }, Ct);
        (await noEnabled.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("enabled");
    }

    [Fact]
    public async Task An_oversize_definition_is_refused_with_413()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Kestrel:Limits:MaxRequestBodySize"] = "4096" });
        host.UseKestrel(0);
        host.StartServer();

        var huge = JsonSerializer.Serialize(new { key = "f", filters = Enumerable.Repeat(FlagsApi.Rollout(10), 500) });
        var response = await host.Operate().PostAsync(FeaturesRoutes.Features, new StringContent(huge, Encoding.UTF8, "application/json"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ProblemTypes.PayloadTooLarge);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_duplicate_key_is_a_conflict(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        await host.CreateFlagAsync(new { key = "twice" });

        var again = await host.Operate().PostAsJsonAsync(FeaturesRoutes.Features, new { key = "twice" }, Ct);

        await again.AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Of_two_concurrent_edits_of_one_flag_one_wins_and_the_other_gets_409(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var flag = await host.CreateFlagAsync(new { key = "contested" });

        // Both editors read version 1; they save at once. Exactly one may win.
        var edits = await Task.WhenAll(
            host.Operate().PutAsJsonAsync(FeaturesRoutes.Flag("contested"), new { version = flag.Version, description = "mine" }, Ct),
            host.Operate().PutAsJsonAsync(FeaturesRoutes.Flag("contested"), new { version = flag.Version, description = "theirs" }, Ct));

        Assert.Single(edits, e => e.StatusCode == HttpStatusCode.OK);
        await Assert.Single(edits, e => e.StatusCode != HttpStatusCode.OK).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        var stale = await host.Operate().PutAsJsonAsync(FeaturesRoutes.FlagEnabled("contested"), new { enabled = false, version = flag.Version }, Ct);
        await stale.AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
    }

    [Fact]
    public async Task A_tenant_admin_may_not_change_or_read_platform_flags()
    {
        await using var host = ModularHost.OnSqlite();
        var a = await host.CreateTenantAsync("tenant-a");
        await host.CreateFlagAsync(new { key = "platform-flag" });
        var tenantAdmin = host.CreateMemberClient("tenant-admin", "tenant-a"); // the tenant-admin role grants no features.* permission
        var reader = host.CreateClientAs("auditor", FeaturesPermissions.Read);

        foreach (var attempt in new[]
        {
            tenantAdmin.PutAsJsonAsync(FeaturesRoutes.FlagEnabled("platform-flag"), new { enabled = false }, Ct),
            tenantAdmin.PutAsJsonAsync(FeaturesRoutes.TenantOverride("platform-flag", a.Id), new { enabled = false }, Ct),
            tenantAdmin.PostAsJsonAsync(FeaturesRoutes.Features, new { key = "mine" }, Ct),
            tenantAdmin.DeleteAsync(FeaturesRoutes.Flag("platform-flag"), Ct),
            tenantAdmin.GetAsync(FeaturesRoutes.Features, Ct),
            tenantAdmin.GetAsync(FeaturesRoutes.History, Ct),
            reader.PutAsJsonAsync(FeaturesRoutes.FlagEnabled("platform-flag"), new { enabled = false }, Ct),
        })
        {
            await (await attempt).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        }

        Assert.True(await host.IsOnAsync("platform-flag", "anyone"));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(FeaturesRoutes.Flag("platform-flag"), Ct)).StatusCode);
    }

    [Fact]
    public async Task Anonymous_callers_get_401_everywhere_including_evaluate()
    {
        await using var host = ModularHost.OnSqlite();
        var anonymous = host.CreateClient();

        await (await anonymous.GetAsync(FeaturesRoutes.Evaluate, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await anonymous.GetAsync(FeaturesRoutes.Features, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await anonymous.PostAsJsonAsync(FeaturesRoutes.Features, new { key = "f" }, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
    }

    [Fact]
    public async Task Unknown_flags_tenants_and_variants_are_404_or_400()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.Operate();
        await host.CreateFlagAsync(new { key = "known", variants = new[] { new { name = "a" } } });
        var a = await host.CreateTenantAsync("tenant-a");

        await (await client.GetAsync(FeaturesRoutes.Flag("unknown"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.PutAsJsonAsync(FeaturesRoutes.Flag("unknown"), new { version = 1 }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.PutAsJsonAsync(FeaturesRoutes.FlagEnabled("unknown"), new { enabled = true }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.DeleteAsync(FeaturesRoutes.Flag("unknown"), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.PutAsJsonAsync(FeaturesRoutes.TenantOverride("known", Guid.CreateVersion7()), new { enabled = true }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.DeleteAsync(FeaturesRoutes.TenantOverride("known", a.Id), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        (await (await client.PutAsJsonAsync(FeaturesRoutes.TenantOverride("known", a.Id), new { enabled = true, variant = "zzz" }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("variant");
        (await (await client.PutAsJsonAsync(FeaturesRoutes.TenantOverride("known", a.Id), new { enabled = true, expiresAt = "2001-01-01T00:00:00Z" }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("expiresAt");
        (await (await client.GetAsync($"{FeaturesRoutes.Features}?type=whim", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("type");
        (await (await client.GetAsync($"{FeaturesRoutes.History}?limit=0", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("limit");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/features/tenants/not-a-guid", Ct)).StatusCode);
    }

    private static object Window(string start, string end) => new { name = "TimeWindow", parameters = new { start, end } };

    private static object RecurringWindow(string start, string end, string pattern) => new
    {
        name = "TimeWindow",
        parameters = new { start, end, recurrence = new { pattern = new { type = pattern }, range = new { type = "NoEnd" } } },
    };
}
