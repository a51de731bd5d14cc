using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Modular.Tenants.Contracts;
using static Modular.Cluster.Tests.TwoInstances;

namespace Modular.Cluster.Tests;

/// <summary>Two host processes behind haproxy: how requests are spread, and a rolling restart under load.</summary>
public sealed class LoadBalancerTests(PostgresServer postgres)
{
    [Fact]
    public async Task The_api_is_spread_over_both_instances_and_a_console_session_stays_on_one()
    {
        await using var cluster = await TwoInstances.StartAsync(postgres);
        using var api = cluster.Through();
        var served = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await api.GetAsync("/health/ready", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            served.Add(ServedBy(response));
        }

        Assert.Equal(3, served.Count(s => s == cluster.A.Name)); // round robin
        Assert.Equal(3, served.Count(s => s == cluster.B.Name));

        // A browser on the console gets the balancer's cookie and stays on that instance, the circuit's one.
        var cookies = new CookieContainer();
        using var browser = cluster.Through(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        using var first = await browser.GetAsync("/admin", Ct);
        var instance = ServedBy(first);
        Assert.Contains(instance, new[] { cluster.A.Name, cluster.B.Name });
        Assert.Contains(cookies.GetCookies(cluster.Balancer.Address), c => c.Name == HaproxyServer.StickyCookie && c.Value == instance);
        foreach (var path in new[] { "/admin", "/_blazor/negotiate?negotiateVersion=1", "/admin/tenants", "/admin" })
        {
            using var next = await browser.GetAsync(path, Ct);
            Assert.Equal(instance, ServedBy(next));
        }
    }

    [Fact]
    public async Task A_rolling_restart_under_load_loses_no_request()
    {
        await using var cluster = await TwoInstances.StartAsync(postgres);
        using var operatorClient = await cluster.OperatorAsync();
        var failures = new ConcurrentBag<string>();
        var created = new ConcurrentBag<Guid>();
        var reads = 0;
        using var stop = new CancellationTokenSource();

        // Four clients, each reading the tenant list and creating a tenant every fifth request, until told to stop; paced,
        // so that on two shared cores the restarted process is not starved of the CPU it needs to start.
        var load = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            for (var request = 0; !stop.IsCancellationRequested; request++)
            {
                await Task.Delay(25, CancellationToken.None);
                try
                {
                    if (request % 5 == 0)
                    {
                        using var response = await operatorClient.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = $"load-{client}-{request}", name = "Load" }, Ct);
                        if (response.StatusCode != HttpStatusCode.Created)
                        {
                            failures.Add($"POST {(int)response.StatusCode} from {ServedBy(response)}: {await response.Content.ReadAsStringAsync(Ct)}");
                            continue;
                        }

                        created.Add((await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!.Id);
                    }
                    else
                    {
                        using var response = await operatorClient.GetAsync(TenantsRoutes.Tenants + "?pageSize=5", Ct);
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            failures.Add($"GET {(int)response.StatusCode} from {ServedBy(response)}");
                        }

                        Interlocked.Increment(ref reads);
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Add($"connection: {e.Message}");
                }
            }
        }, Ct)).ToList();

        // Each instance in turn: SIGTERM, which it answers by leaving the rotation while it still serves, then a new
        // process in its place, back in rotation before the next one goes.
        foreach (var instance in new[] { cluster.A, cluster.B })
        {
            await Task.Delay(500, Ct);
            await instance.TerminateAsync(whileDraining: async () =>
            {
                using var direct = Direct(instance);
                await Eventually.HoldsAsync(
                    async () => (await direct.GetAsync("/health/ready", Ct)).StatusCode == HttpStatusCode.ServiceUnavailable,
                    "a stopping instance says it is not ready");
                Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/health/live", Ct)).StatusCode); // while still serving
            });
            await instance.StartAsync();
            await cluster.InRotationAsync(cluster.A, cluster.B);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(reads > 100 && created.Count > 20, $"the load kept going ({reads} reads, {created.Count} tenants created)");
        foreach (var id in created.Take(50))
        {
            Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync(TenantsRoutes.Tenant(id), Ct)).StatusCode);
        }
    }
}
