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

        Assert.Equal([mallorysEndpoint.Id], (await mallory.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.Endpoints, Ct))!.Select(e => e.Id));
        // A search stays in the caller's tenant too: Bob's endpoint has the same address (searched in another case).
        var byAddress = $"?search={Uri.EscapeDataString(receiver.Url.ToUpperInvariant())}";
        Assert.Equal([mallorysEndpoint.Id], (await mallory.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.Endpoints + byAddress, Ct))!.Select(e => e.Id));
        var mallorysLog = (await mallory.GetFromJsonAsync<WebhookMessagePage>(WebhooksRoutes.Messages, Ct))!;
        Assert.All(mallorysLog.Items, m => Assert.Equal(a.Id, m.TenantId));

        var e = bobsEndpoint.Id;
        HttpRequestMessage[] attacks =
        [
            new(HttpMethod.Get, WebhooksRoutes.Endpoint(e)),
            new(HttpMethod.Patch, WebhooksRoutes.Endpoint(e)) { Content = JsonContent.Create(new { url = "https://attacker.example/steal" }) },
            new(HttpMethod.Delete, WebhooksRoutes.Endpoint(e)),
            new(HttpMethod.Post, WebhooksRoutes.RotateSecret(e)),
            new(HttpMethod.Post, WebhooksRoutes.Disable(e)),
            new(HttpMethod.Post, WebhooksRoutes.Enable(e)),
            new(HttpMethod.Post, WebhooksRoutes.SendTestEvent(e)),
            new(HttpMethod.Post, WebhooksRoutes.Recover(e)) { Content = JsonContent.Create(new { since = DateTimeOffset.UtcNow.AddHours(-1) }) },
            new(HttpMethod.Get, $"{WebhooksRoutes.Messages}?endpointId={e}"),
            new(HttpMethod.Get, WebhooksRoutes.Message(bobsMessage.Id)),
            new(HttpMethod.Post, WebhooksRoutes.Resend(bobsMessage.Id)) { Content = JsonContent.Create(new { endpointId = e }) },
            new(HttpMethod.Post, WebhooksRoutes.Resend(bobsMessage.Id)) { Content = JsonContent.Create(new { endpointId = mallorysEndpoint.Id }) },
        ];
        foreach (var attack in attacks)
        {
            await (await mallory.SendAsync(attack, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        // Naming the other tenant in a body does not help either.
        var planted = await mallory.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://attacker.example", tenantId = b.Id }, Ct);
        await planted.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        var forged = await mallory.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventType = WebhookEventTypes.Test, eventId = "x", data = new { }, tenantId = b.Id }, Ct);
        await forged.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        // Bob's endpoint is untouched, and only Bob's message reached it.
        var bobsView = (await bob.GetFromJsonAsync<WebhookEndpointDto>(WebhooksRoutes.Endpoint(e), Ct))!;
        Assert.True(bobsView.Enabled);
        Assert.Equal(receiver.Url, bobsView.Url);
        Assert.Equal([bobsMessage.WebhookId], receiver.Received.Select(r => r.Id));

        // A platform operator sees both tenants' endpoints.
        var platform = webhooks.Host.CreateClientAs("operator", PlatformPermissions.Admin);
        Assert.Equal(2, (await platform.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.PlatformEndpoints, Ct))!.Count);
        Assert.Single((await platform.GetFromJsonAsync<List<WebhookEndpointDto>>($"{WebhooksRoutes.PlatformEndpoints}?tenantId={b.Id}", Ct))!);
        Assert.Equal(2, (await platform.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.PlatformEndpoints + byAddress, Ct))!.Count);
        Assert.Empty((await platform.GetFromJsonAsync<List<WebhookEndpointDto>>($"{WebhooksRoutes.PlatformEndpoints}?search=nobody-registered-this", Ct))!);
    }
}
