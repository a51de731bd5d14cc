using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Outbound;
using Modular.Kernel.Persistence;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.Tests;

/// <summary>The webhooks API's unhappy paths: bad input, SSRF attempts, missing permissions.</summary>
public sealed class ApiTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("https://user:secret@example.com/hook")]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://172.16.0.1/hook")]
    [InlineData("https://192.168.0.10/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://[fc00::1]/hook")]
    [InlineData("https://[fd00:ec2::254]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[::ffff:169.254.169.254]/hook")]
    [InlineData("https://[2002:a9fe:a9fe::1]/hook")] // 6to4 of the metadata service
    [InlineData("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook")] // Teredo, client 127.0.0.1
    [InlineData("https://[64:ff9b:1::a00:1]/hook")] // local-use NAT64
    [InlineData("https://localhost/hook")]
    [InlineData("https://api.localhost/hook")]
    [InlineData("http://example.com/hook")] // http is off unless configured
    public async Task Endpoint_urls_that_are_not_public_https_are_refused(string url)
    {
        await using var webhooks = await WebhooksHost.StartAsync(
            DatabaseProvider.Sqlite, postgres, settings: new Dictionary<string, string?> { ["Webhooks:AllowHttp"] = "false" }, allowLoopback: false);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);

        var response = await client.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url }, Ct);
        (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("url");
    }

    [Fact]
    public async Task A_public_looking_name_that_resolves_to_loopback_is_refused_when_connecting()
    {
        await using var receiver = await Receiver.StartAsync();
        var resolver = new StubResolver { ["hooks.example.com"] = [IPAddress.Loopback] };
        await using var webhooks = await WebhooksHost.StartAsync(
            DatabaseProvider.Sqlite, postgres, allowLoopback: false, services: s => s.AddSingleton<IOutboundHostResolver>(resolver));
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var url = $"http://hooks.example.com:{receiver.Port}/hooks";
        await webhooks.CreateEndpointAsync(client, url); // the name looks public when saved
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync();
        var attempt = Assert.Single(await webhooks.AttemptsAsync(message.Id));
        Assert.Null(attempt.ResponseStatus);
        Assert.Contains("Refused", attempt.Error);
        Assert.Empty(receiver.Received);

        // DNS rebinding: the same name now answering with a mapped loopback address fares no better.
        resolver["hooks.example.com"] = [IPAddress.Parse("::ffff:127.0.0.1"), IPAddress.Parse("10.0.0.7")];
        await webhooks.SendAsync(client, "evt-2");
        await webhooks.DispatchAsync();
        Assert.Empty(receiver.Received);

        // Nor do IPv6 forms that carry a private IPv4 address: 6to4, Teredo, local-use NAT64.
        resolver["hooks.example.com"] = [IPAddress.Parse("2002:7f00:1::1"), IPAddress.Parse("2001:0:4136:e378:8000:63bf:80ff:fffe"), IPAddress.Parse("64:ff9b:1::a00:7")];
        var tunnelled = await webhooks.SendAsync(client, "evt-3");
        await webhooks.DispatchAsync();
        Assert.Contains("Refused", Assert.Single(await webhooks.AttemptsAsync(tunnelled.Id)).Error);
    }

    [Fact]
    public async Task Bad_endpoint_fields_are_named()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);

        async Task AssertFieldAsync(object body, string field) =>
            (await (await client.PostAsJsonAsync(WebhooksRoutes.Endpoints, body, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
                .AssertNamesField(field);

        await AssertFieldAsync(new { }, "url");
        await AssertFieldAsync(new { url = "https://example.com", eventTypes = new[] { "no.such.event" } }, "eventTypes");
        await AssertFieldAsync(new { url = "https://example.com", rateLimitPerSecond = 0 }, "rateLimitPerSecond");
        await AssertFieldAsync(new { url = "https://example.com", description = new string('x', 501) }, "description");
        await AssertFieldAsync(new { url = "https://example.com", headers = new Dictionary<string, string> { ["webhook-signature"] = "forged" } }, "headers");
        await AssertFieldAsync(new { url = "https://example.com", headers = new Dictionary<string, string> { ["X-Bad"] = "a\r\nInjected: yes" } }, "headers");
        await AssertFieldAsync(new { url = "https://example.com", headers = new Dictionary<string, string> { ["bad name"] = "x" } }, "headers");

        var garbage = new StringContent("{\"url\": ", Encoding.UTF8, "application/json");
        await (await client.PostAsync(WebhooksRoutes.Endpoints, garbage, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
    }

    [Fact]
    public async Task A_custom_header_that_could_never_be_sent_is_refused_naming_the_header()
    {
        (string Name, string Value)[] unsendable =
        [
            ("X-Api-Key", "clé-123"), // non-ASCII: the HTTP client refuses to send it, so every delivery would fail
            ("X-Api-Key", "k\u0000123"),
            ("X-Api-Key", "k\r\nInjected: yes"),
            ("X-Api-Key", " k-123"),
            ("X-Api-Key", "k-123\t"),
            ("X-Api-Key", "k\u007f"),
            ("X-Clé", "k-123"),
            ("X Api Key", "k-123"),
            ("X-Api-Key:", "k-123"),
            ("", "k-123"),
        ];
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var existing = (await webhooks.CreateEndpointAsync(client, receiver.Url)).Endpoint;

        foreach (var (name, value) in unsendable)
        {
            var headers = new Dictionary<string, string> { [name] = value };
            var created = await client.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = receiver.Url, headers }, Ct);
            var updated = await client.PatchAsJsonAsync(WebhooksRoutes.Endpoint(existing.Id), new { headers }, Ct);

            foreach (var response in new[] { created, updated })
            {
                // Named as the field (headers.X-Api-Key) or in the message under "headers".
                var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).GetProperty("errors");
                Assert.True(
                    errors.TryGetProperty($"headers.{name}", out _)
                    || (errors.TryGetProperty("headers", out var messages) && messages.EnumerateArray().Any(m => m.GetString()!.Contains($"'{name}'", StringComparison.Ordinal))),
                    $"errors should name header '{name}': {errors}");
            }
        }

        var stored = Assert.Single((await client.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.Endpoints, Ct))!);
        Assert.Empty(stored.Headers);
    }

    [Fact]
    public async Task A_custom_header_with_inner_spaces_and_tabs_is_delivered_as_given()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url, new { url = receiver.Url, headers = new Dictionary<string, string> { ["X-Note"] = "a b\tc!~" } });

        await webhooks.SendAsync(client, "evt-1");
        await webhooks.DispatchAsync();

        Assert.Equal("a b\tc!~", Assert.Single(receiver.Received).Headers["X-Note"].ToString());
    }

    [Fact]
    public async Task Bad_messages_are_refused()
    {
        await using var webhooks = await WebhooksHost.StartAsync(
            DatabaseProvider.Sqlite, postgres, settings: new Dictionary<string, string?> { ["Webhooks:MaxPayloadBytes"] = "1024" });
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);

        async Task AssertFieldAsync(object body, string field) =>
            (await (await client.PostAsJsonAsync(WebhooksRoutes.Messages, body, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
                .AssertNamesField(field);

        await AssertFieldAsync(new { eventType = "no.such.event", eventId = "e1", data = new { } }, "eventType");
        await AssertFieldAsync(new { eventType = WebhookEventTypes.Test, data = new { } }, "eventId");
        await AssertFieldAsync(new { eventType = WebhookEventTypes.Test, eventId = "e1", data = "a string" }, "data");
        await AssertFieldAsync(new { eventType = WebhookEventTypes.Test, eventId = "e1", data = new { blob = new string('x', 2000) } }, "data");
        await AssertFieldAsync(new { eventType = WebhookEventTypes.Test, eventId = new string('e', 201), data = new { } }, "eventId");
    }

    [Fact]
    public async Task Input_that_used_to_fail_on_postgres_is_refused_naming_the_field_and_nothing_is_stored()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Postgres, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = (await webhooks.CreateEndpointAsync(client, receiver.Url)).Endpoint;
        var messages = (await client.GetFromJsonAsync<WebhookMessagePage>(WebhooksRoutes.Messages, Ct))!.Total;

        async Task AssertFieldAsync(Task<HttpResponseMessage> sending, string field) =>
            (await (await sending).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);

        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventId = "e1", data = new { } }, Ct), "eventType");
        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventType = (string?)null, eventId = "e1", data = new { } }, Ct), "eventType");
        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventType = WebhookEventTypes.Test, eventId = "e\01", data = new { } }, Ct), "eventId");
        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = receiver.Url, description = "CR\0M" }, Ct), "description");
        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = receiver.Url + "\0" }, Ct), "url");
        await AssertFieldAsync(client.PatchAsJsonAsync(WebhooksRoutes.Endpoint(endpoint.Id), new { description = "CR\0M" }, Ct), "description");
        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = receiver.Url, eventTypes = new[] { "a\0b" } }, Ct), "eventTypes[0]");
        await AssertFieldAsync(client.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = receiver.Url, eventTypes = new string?[] { null } }, Ct), "eventTypes[0]");

        Assert.Equal(messages, (await client.GetFromJsonAsync<WebhookMessagePage>(WebhooksRoutes.Messages, Ct))!.Total);
        var stored = Assert.Single((await client.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.Endpoints, Ct))!);
        Assert.Null(stored.Description);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_same_event_id_twice_is_one_message(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);

        var first = await webhooks.SendAsync(client, "evt-1", new { n = 1 });
        var again = await webhooks.SendAsync(client, "evt-1", new { n = 2 });
        var concurrently = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => webhooks.SendAsync(client, "evt-2")));

        Assert.Equal(first.Id, again.Id);
        Assert.Single(concurrently.Select(m => m.Id).Distinct());
        var page = (await client.GetFromJsonAsync<WebhookMessagePage>(WebhooksRoutes.Messages, Ct))!;
        Assert.Equal(2, page.Items.Count(m => m.EventType == WebhookEventTypes.Test));
        await webhooks.DispatchAsync();
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task Every_endpoint_needs_the_right_permission()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var anonymous = webhooks.Host.CreateClient();
        var member = webhooks.ClientFor(tenant);
        var reader = webhooks.ClientFor(tenant, WebhooksPermissions.Read);
        var id = Guid.NewGuid();

        (HttpMethod Method, string Path, bool Manage)[] routes =
        [
            (HttpMethod.Get, WebhooksRoutes.Endpoints, false),
            (HttpMethod.Get, WebhooksRoutes.Endpoint(id), false),
            (HttpMethod.Get, WebhooksRoutes.EventTypes, false),
            (HttpMethod.Get, WebhooksRoutes.Messages, false),
            (HttpMethod.Get, WebhooksRoutes.Message(id), false),
            (HttpMethod.Post, WebhooksRoutes.Endpoints, true),
            (HttpMethod.Patch, WebhooksRoutes.Endpoint(id), true),
            (HttpMethod.Delete, WebhooksRoutes.Endpoint(id), true),
            (HttpMethod.Post, WebhooksRoutes.RotateSecret(id), true),
            (HttpMethod.Post, WebhooksRoutes.Enable(id), true),
            (HttpMethod.Post, WebhooksRoutes.Disable(id), true),
            (HttpMethod.Post, WebhooksRoutes.SendTestEvent(id), true),
            (HttpMethod.Post, WebhooksRoutes.Recover(id), true),
            (HttpMethod.Post, WebhooksRoutes.Messages, true),
            (HttpMethod.Post, WebhooksRoutes.Resend(id), true),
        ];
        foreach (var (method, path, manage) in routes)
        {
            await (await anonymous.SendAsync(Request(method, path), Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
            await (await member.SendAsync(Request(method, path), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
            if (manage)
            {
                await (await reader.SendAsync(Request(method, path), Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
            }
        }

        // The cross-tenant listing is for platform operators only.
        await (await webhooks.ClientFor(tenant, WebhooksHost.Admin).GetAsync(WebhooksRoutes.PlatformEndpoints, Ct))
            .AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path) =>
        new(method, path) { Content = method == HttpMethod.Get || method == HttpMethod.Delete ? null : JsonContent.Create(new { }) };

    [Fact]
    public async Task Recover_resends_what_failed_and_is_bounded_to_fourteen_days()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = (await webhooks.CreateEndpointAsync(client, receiver.Url)).Endpoint;
        var start = webhooks.Clock!.GetUtcNow();
        var message = await webhooks.SendAsync(client, "evt-1");

        // The endpoint is switched off before the delivery goes out: the delivery fails unsent.
        (await client.PostAsync(WebhooksRoutes.Disable(endpoint.Id), null, Ct)).EnsureSuccessStatusCode();
        await webhooks.DispatchAsync();
        Assert.Equal(DeliveryStatus.Failed, (await webhooks.DeliveryAsync(message.Id)).Status);
        (await client.PostAsync(WebhooksRoutes.Enable(endpoint.Id), null, Ct)).EnsureSuccessStatusCode();

        var tooOld = await client.PostAsJsonAsync(WebhooksRoutes.Recover(endpoint.Id), new { since = start.AddDays(-15) }, Ct);
        (await tooOld.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("since");

        var recovered = await client.PostAsJsonAsync(WebhooksRoutes.Recover(endpoint.Id), new { since = start.AddMinutes(-1) }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, recovered.StatusCode);
        Assert.Equal(1, (await recovered.Content.ReadFromJsonAsync<WebhookRecoveryDto>(Ct))!.Redelivering);
        await webhooks.DispatchAsync();
        Assert.Equal(DeliveryStatus.Succeeded, (await webhooks.DeliveryAsync(message.Id)).Status);
        Assert.Equal(message.WebhookId, Assert.Single(receiver.Received).Id);

        // A manual resend of a delivered message: one more attempt, marked manual, same webhook-id. (A second
        // later on the fake clock, so "the last attempt" is not a tie with the recovery's.)
        webhooks.Clock!.Advance(TimeSpan.FromSeconds(1));
        var resent = await client.PostAsJsonAsync(WebhooksRoutes.Resend(message.Id), new { endpointId = endpoint.Id }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        await webhooks.DispatchAsync();
        Assert.Equal(2, receiver.Received.Count);
        Assert.All(receiver.Received, r => Assert.Equal(message.WebhookId, r.Id));
        var attempts = await webhooks.AttemptsAsync(message.Id);
        Assert.Equal(AttemptTrigger.Manual, attempts[^1].Trigger);

        // The test event goes to that endpoint only.
        var test = await client.PostAsync(WebhooksRoutes.SendTestEvent(endpoint.Id), null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        await webhooks.DispatchAsync();
        Assert.Contains(WebhookEventTypes.Test, receiver.Received.Last().Body);

        var stats = (await client.GetFromJsonAsync<WebhookEndpointDto>(WebhooksRoutes.Endpoint(endpoint.Id), Ct))!.Stats;
        Assert.True(stats.Attempts >= 3);
        Assert.NotNull(stats.SuccessRate);
    }

    private sealed class StubResolver : Dictionary<string, IPAddress[]>, IOutboundHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult(TryGetValue(host, out var addresses) ? addresses : throw new HttpRequestException($"No such host: {host}"));
    }
}
