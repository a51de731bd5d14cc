using System.Net;
using System.Net.Http.Json;
using Modular.Tenants.Contracts;

namespace Modular.Tenants.Tests;

/// <summary>
/// Two host instances on one database agree on a tenant's standing: a change on one drops the other's cached copy
/// through the kernel's cluster cache. The cache is kept an hour here, so only that invalidation can pass these tests;
/// how fast it arrives is measured by the benchmark, not asserted (a shared machine can stall a process for seconds).
/// </summary>
public sealed class MultiInstanceTests(PostgresServer postgres)
{
    private static readonly Dictionary<string, string?> HourLongCache = new() { ["Tenancy:CacheDuration"] = "01:00:00" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)] // the bus publishes through PgBouncer's transaction pool and listens on the direct connection
    [InlineData(false, true)] // the bus is Redis pub/sub, and the cache has Redis as its second level
    public async Task A_suspension_on_one_instance_is_refused_on_another_whose_cache_was_warm(bool throughPgBouncer, bool withRedis)
    {
        await using var pgBouncer = throughPgBouncer ? await PgBouncerServer.StartAsync(postgres) : null;
        await using var redis = withRedis ? await RedisServer.StartAsync() : null;
        await using var first = pgBouncer is null
            ? await ModularHost.OnPostgresAsync(postgres, HourLongCache)
            : await ModularHost.OnPgBouncerAsync(postgres, pgBouncer, HourLongCache);
        if (redis is not null)
        {
            first.WithRedis(redis);
        }

        await using var second = first.AnotherInstance();
        var admin = first.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);
        var tenant = await TenantLifecycleTests.CreateAsync(admin, "shared");

        // The second instance has the tenant cached, found by id and by slug.
        HttpClient[] members = [second.CreateMemberClient("alice", tenant.Id.ToString()), second.CreateMemberClient("bob", tenant.Slug)];
        await AllAnswerAsync(members, HttpStatusCode.OK);

        (await admin.PostAsJsonAsync(TenantsRoutes.Suspend(tenant.Id), new { reason = "unpaid" }, Ct)).EnsureSuccessStatusCode();
        await AllAnswerAsync(members, HttpStatusCode.Forbidden);

        (await admin.PostAsync(TenantsRoutes.Reactivate(tenant.Id), null, Ct)).EnsureSuccessStatusCode();
        await AllAnswerAsync(members, HttpStatusCode.OK);
    }

    private static Task AllAnswerAsync(HttpClient[] members, HttpStatusCode status) =>
        Eventually.HoldsAsync(
            async () => (await Task.WhenAll(members.Select(m => m.GetAsync(TenantsRoutes.CurrentTenant, Ct)))).All(r => r.StatusCode == status),
            $"the other instance answers {status}");
}
