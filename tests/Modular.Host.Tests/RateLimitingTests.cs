using System.Net;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;

namespace Modular.Host.Tests;

/// <summary>Refusals cost a request too: an attacker gets 429 after the budget, not endless cheap 403s and 404s.</summary>
public sealed class RateLimitingTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_caller_naming_random_tenants_is_refused_until_its_budget_is_spent_and_then_limited()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres, Limits(3));
        var member = host.CreateMemberClient("mallory", "acme");

        for (var i = 0; i < 3; i++)
        {
            await (await RequestTenantAsync(member, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        }

        var limited = await RequestTenantAsync(member, Guid.NewGuid().ToString());
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task Anonymous_requests_for_paths_that_do_not_exist_are_limited_too()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres, Limits(3));
        var anonymous = host.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            await (await anonymous.GetAsync($"/probe/{i}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        await (await anonymous.GetAsync("/probe/again", Ct)).AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live", Ct)).StatusCode); // probes are never limited
    }

    [Theory]
    [InlineData(false, 20)] // each instance counts alone: two allow twice the limit (README, docs/adr/0020)
    [InlineData(true, 10)] // counted in Redis: the limit holds across both
    public async Task Two_instances_share_one_limit_when_redis_is_configured(bool withRedis, int allowed)
    {
        await using var redis = withRedis ? await RedisServer.StartAsync() : null;
        await using var first = await ModularHost.OnPostgresAsync(postgres, Limits(10));
        if (redis is not null)
        {
            first.WithRedis(redis);
        }

        await using var second = first.AnotherInstance();
        HttpClient[] instances = [first.CreateClient(), second.CreateClient()];

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            statuses.Add((await instances[i % 2].GetAsync($"/probe/{i}", Ct)).StatusCode); // one caller, by turns on each instance
        }

        Assert.Equal(allowed, statuses.Count(s => s == HttpStatusCode.NotFound));
        Assert.Equal(30 - allowed, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_redis_outage_falls_back_to_counting_on_each_instance_and_fails_no_request()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var host = (await ModularHost.OnPostgresAsync(postgres, Limits(5))).WithRedis(redis);
        var anonymous = host.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/probe/{i}", Ct)).StatusCode);
        }

        await redis.StopAsync();

        // This instance's own window, fresh: five more, then refused; never a 500.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            statuses.Add((await anonymous.GetAsync($"/probe/down-{i}", Ct)).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.NotFound, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    private static Dictionary<string, string?> Limits(int permitLimit) => new()
    {
        ["RateLimiting:PermitLimit"] = permitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RateLimiting:Window"] = "01:00:00",
    };

    private static Task<HttpResponseMessage> RequestTenantAsync(HttpClient client, string tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, TenantsRoutes.CurrentTenant);
        request.Headers.Add(TenantResolution.Header, tenant);
        return client.SendAsync(request, Ct);
    }
}
