using System.Net;
using System.Net.Http.Headers;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Webhooks.Contracts;
using static Modular.Webhooks.Tests.WebhooksHost;

namespace Modular.Webhooks.Tests;

/// <summary>
/// <c>GET /api/v1/tenant/events/stream</c>: the tenant's events as Server-Sent Events, read here as a browser's
/// EventSource would, line by line from the open response.
/// </summary>
public sealed class EventStreamTests(PostgresServer postgres)
{
    [Fact]
    public async Task An_event_stored_through_one_instance_reaches_a_stream_on_another_and_no_other_tenants_do()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Postgres, postgres);
        await using var second = webhooks.Host.AnotherInstance();
        var acme = await webhooks.CreateTenantAsync("acme");
        var globex = await webhooks.CreateTenantAsync("globex");

        // The stream is on the second instance; both tenants' events are stored through the first.
        await using var stream = await EventStream.OpenAsync(Reader(second, acme.Slug));
        await webhooks.SendAsync(webhooks.ClientFor(globex, WebhooksHost.Admin), "globex-1");
        var sent = await webhooks.SendAsync(webhooks.ClientFor(acme, WebhooksHost.Admin), "acme-1", new { n = 42 });

        var received = await stream.NextEventAsync();
        Assert.Equal((sent.WebhookId, WebhookEventTypes.Test), (received.Id, received.Type));
        Assert.Contains("\"n\":42", received.Data, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_client_that_reconnects_with_its_last_event_id_gets_what_came_after_and_nothing_twice(DatabaseProvider provider)
    {
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var acme = await webhooks.CreateTenantAsync("acme");
        var admin = webhooks.ClientFor(acme, WebhooksHost.Admin);
        string lastSeen;
        await using (var first = await EventStream.OpenAsync(Reader(webhooks.Host, acme.Slug)))
        {
            await webhooks.SendAsync(admin, "one");
            lastSeen = (await first.NextEventAsync()).Id;
        }

        // Sent while the client was away.
        var two = await webhooks.SendAsync(admin, "two");
        var three = await webhooks.SendAsync(admin, "three");

        var client = Reader(webhooks.Host, acme.Slug);
        client.DefaultRequestHeaders.Add("Last-Event-ID", lastSeen);
        await using var resumed = await EventStream.OpenAsync(client);
        Assert.Equal([two.WebhookId, three.WebhookId], [(await resumed.NextEventAsync()).Id, (await resumed.NextEventAsync()).Id]);
        var four = await webhooks.SendAsync(admin, "four");
        Assert.Equal(four.WebhookId, (await resumed.NextEventAsync()).Id);
    }

    [Fact]
    public async Task A_garbage_or_another_tenants_last_event_id_resumes_nothing()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var acme = await webhooks.CreateTenantAsync("acme");
        var globex = await webhooks.CreateTenantAsync("globex");
        var acmeEarlier = await webhooks.SendAsync(webhooks.ClientFor(acme, WebhooksHost.Admin), "acme-earlier");
        var globexAdmin = webhooks.ClientFor(globex, WebhooksHost.Admin);
        await webhooks.SendAsync(globexAdmin, "globex-earlier");

        // Acme's own event id, malformed ids and an id of no event: each starts Globex's stream at now, with nothing of
        // Acme's and nothing of its own past.
        string[] cursors = [acmeEarlier.WebhookId, "garbage", "msg_" + new string('z', 32), "msg_" + Guid.NewGuid().ToString("N"), new string('x', 4000)];
        for (var i = 0; i < cursors.Length; i++)
        {
            var client = Reader(webhooks.Host, globex.Slug);
            Assert.True(client.DefaultRequestHeaders.TryAddWithoutValidation("Last-Event-ID", cursors[i]));
            await using var stream = await EventStream.OpenAsync(client);
            var next = await webhooks.SendAsync(globexAdmin, $"globex-next-{i}");
            Assert.Equal(next.WebhookId, (await stream.NextEventAsync()).Id);
        }
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeats()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, settings: new Dictionary<string, string?>
        {
            ["Webhooks:StreamHeartbeat"] = "00:00:00.200",
        });
        var acme = await webhooks.CreateTenantAsync("acme");

        await using var stream = await EventStream.OpenAsync(Reader(webhooks.Host, acme.Slug));

        Assert.Equal(": ping", await stream.NextLineAsync(line => line.StartsWith(':')));
        Assert.Equal(": ping", await stream.NextLineAsync(line => line.StartsWith(':')));
    }

    [Fact]
    public async Task Streams_need_the_read_permission_and_a_tenant_and_are_limited_per_tenant()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, settings: new Dictionary<string, string?>
        {
            ["Webhooks:StreamsPerTenant"] = "1",
        });
        var acme = await webhooks.CreateTenantAsync("acme");

        await (await webhooks.Host.CreateClient().GetAsync(WebhooksRoutes.TenantEventStream, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await webhooks.ClientFor(acme).GetAsync(WebhooksRoutes.TenantEventStream, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await webhooks.Host.CreateClientAs("operator", WebhooksPermissions.Read).GetAsync(WebhooksRoutes.TenantEventStream, Ct))
            .AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound); // no tenant in scope

        await using var open = await EventStream.OpenAsync(Reader(webhooks.Host, acme.Slug));
        await (await Reader(webhooks.Host, acme.Slug).GetAsync(WebhooksRoutes.TenantEventStream, Ct)).AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
    }

    private static HttpClient Reader(ModularHost host, string tenant)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("reader", [WebhooksPermissions.Read], tenant));
        client.Timeout = Timeout.InfiniteTimeSpan;
        return client;
    }
}
