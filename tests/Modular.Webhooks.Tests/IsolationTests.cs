using System.Net;
using System.Net.Http.Json;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Webhooks.Contracts;

namespace Modular.Webhooks.Tests;

/// <summary>Tenant isolation from the attacker's side: tenant A's admin knows tenant B's ids and tries them all.</summary>
public sealed class IsolationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_admin_cannot_read_change_or_resend_another_tenants_webhooks(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var a = await webhooks.CreateTenantAsync("tenant-a");
        var b = await webhooks.CreateTenantAsync("tenant-b");
        var mallory = webhooks.ClientFor(a, WebhooksHost.Admin);
        var bob = webhooks.ClientFor(b, WebhooksHost.Admin);
        var bobsEndpoint = (await webhooks.CreateEndpointAsync(bob, receiver.Url)).Endpoint;
        var bobsMessage = await webhooks.SendAsync(bob, "evt-b");
        var mallorysEndpoint = (await webhooks.CreateEndpointAsync(mallory, receiver.Url)).Endpoint;
        await webhooks.DispatchAsync();

        Assert.Equal([mallorysEndpoint.Id], (await mallory.GetFromJsonAsync<List<WebhookEndpointDto>>("/api/v1/webhooks/endpoints", Ct))!.Select(e => e.Id));
        var mallorysLog = (await mallory.GetFromJsonAsync<WebhookMessagePage>("/api/v1/webhooks/messages", Ct))!;
        Assert.All(mallorysLog.Items, m => Assert.Equal(a.Id, m.TenantId));

        var e = bobsEndpoint.Id;
        HttpRequestMessage[] attacks =
        [
            new(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{e}"),
            new(HttpMethod.Patch, $"/api/v1/webhooks/endpoints/{e}") { Content = JsonContent.Create(new { url = "https://attacker.example/steal" }) },
            new(HttpMethod.Delete, $"/api/v1/webhooks/endpoints/{e}"),
            new(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{e}/rotate-secret"),
            new(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{e}/disable"),
            new(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{e}/enable"),
            new(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{e}/test"),
            new(HttpMethod.Post, $"/api/v1/webhooks/endpoints/{e}/recover") { Content = JsonContent.Create(new { since = DateTimeOffset.UtcNow.AddHours(-1) }) },
            new(HttpMethod.Get, $"/api/v1/webhooks/messages?endpointId={e}"),
            new(HttpMethod.Get, $"/api/v1/webhooks/messages/{bobsMessage.Id}"),
            new(HttpMethod.Post, $"/api/v1/webhooks/messages/{bobsMessage.Id}/resend") { Content = JsonContent.Create(new { endpointId = e }) },
            new(HttpMethod.Post, $"/api/v1/webhooks/messages/{bobsMessage.Id}/resend") { Content = JsonContent.Create(new { endpointId = mallorysEndpoint.Id }) },
        ];
        foreach (var attack in attacks)
        {
            await (await mallory.SendAsync(attack, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        // Naming the other tenant in a body does not help either.
        var planted = await mallory.PostAsJsonAsync("/api/v1/webhooks/endpoints", new { url = "https://attacker.example", tenantId = b.Id }, Ct);
        await planted.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        var forged = await mallory.PostAsJsonAsync("/api/v1/webhooks/messages", new { eventType = WebhookEventTypes.Test, eventId = "x", data = new { }, tenantId = b.Id }, Ct);
        await forged.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        // Bob's endpoint is untouched, and only Bob's message reached it.
        var bobsView = (await bob.GetFromJsonAsync<WebhookEndpointDto>($"/api/v1/webhooks/endpoints/{e}", Ct))!;
        Assert.True(bobsView.Enabled);
        Assert.Equal(receiver.Url, bobsView.Url);
        Assert.Equal([bobsMessage.WebhookId], receiver.Received.Select(r => r.Id));

        // A platform operator sees both tenants' endpoints.
        var platform = webhooks.Host.CreateClientAs("operator", PlatformPermissions.Admin);
        Assert.Equal(2, (await platform.GetFromJsonAsync<List<WebhookEndpointDto>>("/api/v1/webhooks/platform/endpoints", Ct))!.Count);
        Assert.Single((await platform.GetFromJsonAsync<List<WebhookEndpointDto>>($"/api/v1/webhooks/platform/endpoints?tenantId={b.Id}", Ct))!);
    }
}
