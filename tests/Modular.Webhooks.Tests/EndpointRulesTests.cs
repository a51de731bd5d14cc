using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.Tests;

/// <summary>What an endpoint's settings do to deliveries, and the other endpoints' unhappy paths.</summary>
public sealed class EndpointRulesTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Event_type_filters_and_custom_headers_shape_what_an_endpoint_receives(DatabaseProvider provider)
    {
        await using var everything = await Receiver.StartAsync();
        await using var renamesOnly = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, everything.Url, new { url = everything.Url, headers = new Dictionary<string, string> { ["X-Api-Key"] = "k-123" } });
        await webhooks.CreateEndpointAsync(client, renamesOnly.Url, new { url = renamesOnly.Url, eventTypes = new[] { WebhookEventTypes.TenantRenamed } });

        var message = await webhooks.SendAsync(client, "evt-1");
        Assert.Equal(1, message.Deliveries);
        await webhooks.DispatchAsync();

        var received = Assert.Single(everything.Received);
        Assert.Equal("k-123", received.Headers["X-Api-Key"].ToString());
        Assert.Empty(renamesOnly.Received);
    }

    [Fact]
    public async Task An_endpoint_failing_for_the_configured_time_is_disabled()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = Receiver.Status(500);
        await using var webhooks = await WebhooksHost.StartAsync(
            DatabaseProvider.Sqlite, postgres, fakeClock: true, settings: new Dictionary<string, string?> { ["Webhooks:DisableAfterFailingFor"] = "00:01:00" });
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = (await webhooks.CreateEndpointAsync(client, receiver.Url)).Endpoint;
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync(); // fails: the failure run starts
        webhooks.Clock!.SetUtcNow((await webhooks.DeliveryAsync(message.Id)).NextAttemptAt!.Value);
        await webhooks.DispatchAsync(); // ~5 s in
        Assert.True((await client.GetFromJsonAsync<WebhookEndpointDto>(WebhooksRoutes.Endpoint(endpoint.Id), Ct))!.Enabled);
        webhooks.Clock.SetUtcNow((await webhooks.DeliveryAsync(message.Id)).NextAttemptAt!.Value);
        await webhooks.DispatchAsync(); // ~5 min in: past the limit

        var after = (await client.GetFromJsonAsync<WebhookEndpointDto>(WebhooksRoutes.Endpoint(endpoint.Id), Ct))!;
        Assert.False(after.Enabled);
        Assert.Contains("failed", after.DisabledReason);
        Assert.Equal(DeliveryStatus.Failed, (await webhooks.DeliveryAsync(message.Id)).Status);

        // Enabling it again clears the failure run.
        var enabled = await client.PostAsync(WebhooksRoutes.Enable(endpoint.Id), null, Ct);
        Assert.Null((await enabled.Content.ReadFromJsonAsync<WebhookEndpointDto>(Ct))!.FailingSince);
    }

    [Fact]
    public async Task The_other_endpoints_refuse_bad_input_naming_the_field()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = (await webhooks.CreateEndpointAsync(client, receiver.Url)).Endpoint;
        var message = await webhooks.SendAsync(client, "evt-1");
        var e = endpoint.Id;

        async Task AssertFieldAsync(HttpResponseMessage response, string field) =>
            (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);

        await AssertFieldAsync(await client.PatchAsJsonAsync(WebhooksRoutes.Endpoint(e), new { url = "https://169.254.169.254/" }, Ct), "url");
        await AssertFieldAsync(await client.PatchAsJsonAsync(WebhooksRoutes.Endpoint(e), new { eventTypes = new[] { "nope" } }, Ct), "eventTypes");
        await AssertFieldAsync(await client.PostAsync($"{WebhooksRoutes.RotateSecret(e)}?graceHours=-1", null, Ct), "graceHours");
        await AssertFieldAsync(await client.PostAsync($"{WebhooksRoutes.RotateSecret(e)}?graceHours=10000", null, Ct), "graceHours");
        await AssertFieldAsync(await client.GetAsync($"{WebhooksRoutes.Messages}?pageSize=0", Ct), "pageSize");
        await AssertFieldAsync(await client.GetAsync($"{WebhooksRoutes.Messages}?page=0", Ct), "page");
        await AssertFieldAsync(await client.PostAsJsonAsync(WebhooksRoutes.Recover(e), new { since = DateTimeOffset.UtcNow.AddDays(1) }, Ct), "since");
        await (await client.PostAsJsonAsync(WebhooksRoutes.Recover(e), new { }, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);

        // Unknown ids, and a resend that names no endpoint, are not found.
        var unknown = Guid.NewGuid();
        await (await client.GetAsync(WebhooksRoutes.Endpoint(unknown), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.GetAsync(WebhooksRoutes.Message(unknown), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.GetAsync($"{WebhooksRoutes.Messages}?endpointId={unknown}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.PostAsJsonAsync(WebhooksRoutes.Resend(message.Id), new { }, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.PostAsync(WebhooksRoutes.SendTestEvent(unknown), null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.DeleteAsync(WebhooksRoutes.Endpoint(unknown), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.GetAsync("/api/v1/webhooks/endpoints/not-a-guid", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        // A valid change, and deletion, for contrast.
        var patched = await client.PatchAsJsonAsync(WebhooksRoutes.Endpoint(e), new { description = "billing" }, Ct);
        Assert.Equal("billing", (await patched.Content.ReadFromJsonAsync<WebhookEndpointDto>(Ct))!.Description);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(WebhooksRoutes.Endpoint(e), Ct)).StatusCode);
        await (await client.GetAsync(WebhooksRoutes.Endpoint(e), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Fact]
    public async Task A_caller_without_a_tenant_is_told_to_select_one()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var noTenant = webhooks.Host.CreateClientAs("loner", WebhooksHost.Admin);
        var response = await noTenant.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = "https://example.com/hook" }, Ct);
        (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("tenantId");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purged_tenants_webhooks_are_deleted_and_no_other_tenants(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var doomed = await webhooks.CreateTenantAsync("doomed");
        var kept = await webhooks.CreateTenantAsync("kept");
        foreach (var tenant in new[] { doomed, kept })
        {
            var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
            await webhooks.CreateEndpointAsync(client, receiver.Url);
            await webhooks.SendAsync(client, "evt-1");
        }

        await webhooks.DispatchAsync();
        await webhooks.SendAsync(new Tenants.Contracts.ScheduleTenantDeletion(doomed.Id, RetentionDays: 0));
        await webhooks.SendAsync(new Tenants.Contracts.PurgeTenant(doomed.Id));

        await Eventually.HoldsAsync(
            () => webhooks.ReadAsync(async db => !await db.Endpoints.AnyAsync(e => e.TenantId == doomed.Id, Ct)),
            "the purged tenant's endpoints deleted");
        Assert.False(await webhooks.ReadAsync(db => db.Messages.AnyAsync(m => m.TenantId == doomed.Id && m.EventType == WebhookEventTypes.Test, Ct)));
        Assert.False(await webhooks.ReadAsync(db => db.Attempts.AnyAsync(a => a.TenantId == doomed.Id, Ct)));
        Assert.True(await webhooks.ReadAsync(db => db.Endpoints.AnyAsync(e => e.TenantId == kept.Id, Ct)));
        Assert.True(await webhooks.ReadAsync(db => db.Attempts.AnyAsync(a => a.TenantId == kept.Id, Ct)));
    }
}
