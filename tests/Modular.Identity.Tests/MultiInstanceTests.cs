using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Modular.Identity.Contracts;
using Modular.Identity.Persistence;
using Modular.Identity.Seeding;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;
using Npgsql;

namespace Modular.Identity.Tests;

/// <summary>What lets several host instances share one database.</summary>
public sealed class MultiInstanceTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_data_protection_key_ring_lives_in_the_database()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var disco = await oidc.DiscoverAsync();
        await oidc.AuthorizeAsync(oidc.Browser(), OidcHost.AuthorizeUrl(disco, OidcHost.Pkce().Challenge)); // issues cookies

        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var keys = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().DataProtectionKeys.CountAsync(Ct);
        Assert.True(keys > 0, "a second instance must find the key that protected this instance's cookies");
    }

    /// <summary>
    /// A member removed, or a client disabled, on one instance is refused at once by another instance that had them
    /// cached as allowed: the cache lasts an hour here, so only the cluster cache's invalidation can pass.
    /// </summary>
    [Fact]
    public async Task A_removed_member_and_a_disabled_client_are_refused_by_another_instance()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, new() { ["Tenancy:CacheDuration"] = "01:00:00" });
        await using var second = oidc.Host.AnotherInstance().WithRealSignIn();
        var alice = await MembershipRevocationTests.AliceAsync(oidc);
        var member = await MembershipRevocationTests.SignInAsync(oidc, "acme");
        var service = await MembershipRevocationTests.ServiceTokenAsync(oidc);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(second, member.AccessToken!)); // cached as allowed
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(second, service));

        await oidc.SendAsync(new RemoveMembership(alice, oidc.Acme.Id));
        await Eventually.HoldsAsync(async () => await CurrentTenantAsync(second, member.AccessToken!) == HttpStatusCode.Forbidden, "the member is refused");

        await oidc.SendAsync(new SetClientEnabled("service", false));
        await Eventually.HoldsAsync(async () => await CurrentTenantAsync(second, service) == HttpStatusCode.Forbidden, "the client is refused");
    }

    /// <summary>
    /// With Redis the host's rate limiter counts in Redis, which never grants a permit synchronously: the OpenID
    /// provider's endpoints, which spend a permit of it first, must ask for it asynchronously or answer 429 to all.
    /// </summary>
    [Fact]
    public async Task Token_grants_and_api_calls_work_with_limits_counted_in_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, new() { ["Redis:ConnectionString"] = redis.ConnectionString });

        var service = await MembershipRevocationTests.ServiceTokenAsync(oidc);
        Assert.Equal(HttpStatusCode.OK, await CurrentTenantAsync(oidc.Host, service));
    }

    private static async Task<HttpStatusCode> CurrentTenantAsync(ModularHost host, string accessToken)
    {
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return (await api.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode;
    }

    /// <summary>
    /// Through PgBouncer in transaction mode a session lock taken on a pooled connection could be released on another
    /// server connection, or never: the lock lives on the direct connection, and pruning runs again and again.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_one_instance_prunes_tokens_at_a_time(bool throughPgBouncer)
    {
        await using var pgBouncer = throughPgBouncer ? await PgBouncerServer.StartAsync(postgres) : null;
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, pgBouncer: pgBouncer);
        var pruner = oidc.Host.Services.GetServices<IHostedService>().OfType<TokenPruner>().Single();
        Assert.True(await pruner.PruneAsync(Ct));
        Assert.True(await pruner.PruneAsync(Ct));

        // Another instance holds the pruning lock: this one skips.
        var unpooled = new NpgsqlConnectionStringBuilder(oidc.Host.DirectConnectionString) { Pooling = false }.ConnectionString;
        int otherBackend;
        await using (var other = new NpgsqlConnection(unpooled)) // closing it is the other instance going away
        {
            await other.OpenAsync(Ct);
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key), pg_backend_pid()", other);
            take.Parameters.AddWithValue("key", 0x4d6f64756c6172L);
            await using (var taken = await take.ExecuteReaderAsync(Ct))
            {
                await taken.ReadAsync(Ct);
                otherBackend = taken.GetInt32(1);
            }

            Assert.False(await pruner.PruneAsync(Ct));
        }

        // The lock goes with the other instance's session, once the server has ended it (it notices the closed
        // connection on its own time): this one then prunes, and releases the lock.
        await Eventually.HoldsAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(unpooled);
            await connection.OpenAsync(Ct);
            await using var alive = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid", connection);
            alive.Parameters.AddWithValue("pid", otherBackend);
            return (long)(await alive.ExecuteScalarAsync(Ct))! == 0;
        }, "the other instance's session has ended");
        Assert.True(await pruner.PruneAsync(Ct));
        Assert.True(await pruner.PruneAsync(Ct));
    }
}
