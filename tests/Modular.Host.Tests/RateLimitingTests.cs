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
