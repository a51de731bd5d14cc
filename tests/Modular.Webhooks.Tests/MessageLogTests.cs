using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.Tests;

/// <summary>
/// The message log as people search it: each message's state across its endpoints, and filters by state, endpoint,
/// event type and time; one endpoint's deliveries day by day.
/// </summary>
public sealed class MessageLogTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Messages_are_filtered_by_state_endpoint_event_type_and_time(DatabaseProvider provider)
    {
        await using var failing = await Receiver.StartAsync();
        failing.Respond = Receiver.Status(500);
        await using var healthy = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("log");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var broken = (await webhooks.CreateEndpointAsync(client, failing.Url, new { url = failing.Url, eventTypes = new[] { WebhookEventTypes.Test } })).Endpoint;
        var working = (await webhooks.CreateEndpointAsync(client, healthy.Url)).Endpoint;

        // Both endpoints get the test event; only the working one gets the rename. The broken one walks its whole schedule.
        var toBoth = await webhooks.SendAsync(client, "evt-both");
        webhooks.Clock!.Advance(TimeSpan.FromSeconds(1)); // newest first is by creation time
        var toOne = await webhooks.SendAsync(client, "evt-one", eventType: WebhookEventTypes.TenantRenamed);
        Assert.Equal(new[] { broken.Id, working.Id }.Order(), toBoth.EndpointIds.Order());
        Assert.Equal(WebhookDeliveryStatuses.Pending, toBoth.Status);
        while (await webhooks.ReadAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.EndpointId == broken.Id, Ct)) is { Status: DeliveryStatus.Pending } delivery)
        {
            // PostgreSQL keeps microseconds: the first attempt's time can read back a tick before the clock's now.
            if (delivery.NextAttemptAt > webhooks.Clock.GetUtcNow())
            {
                webhooks.Clock.SetUtcNow(delivery.NextAttemptAt.Value);
            }

            await webhooks.DispatchAsync();
        }

        webhooks.Clock.Advance(TimeSpan.FromMinutes(1));
        var later = webhooks.Clock.GetUtcNow();
        var waiting = await webhooks.SendAsync(client, "evt-waiting");

        async Task<List<WebhookMessageDto>> ListAsync(string filters) =>
            [.. (await client.GetFromJsonAsync<WebhookMessagePage>($"{WebhooksRoutes.Messages}?{filters}", Ct))!.Items];

        // A failure anywhere makes the message failed; one endpoint's view shows that endpoint's delivery.
        var failed = Assert.Single(await ListAsync("status=Failed"));
        Assert.Equal((toBoth.Id, WebhookDeliveryStatuses.Failed), (failed.Id, failed.Status));
        Assert.Equal(toOne.Id, Assert.Single(await ListAsync("status=Succeeded")).Id);
        Assert.Equal(waiting.Id, Assert.Single(await ListAsync("status=Pending")).Id);
        var workingView = await ListAsync($"endpointId={working.Id}&status=Succeeded");
        Assert.Equal([toOne.Id, toBoth.Id], workingView.Select(m => m.Id));
        Assert.All(workingView, m => Assert.Equal((WebhookDeliveryStatuses.Succeeded, working.Id), (m.Status, Assert.Single(m.EndpointIds))));

        Assert.Equal(toOne.Id, Assert.Single(await ListAsync($"eventType={WebhookEventTypes.TenantRenamed}")).Id);
        Assert.Equal(waiting.Id, Assert.Single(await ListAsync($"since={Uri.EscapeDataString(later.ToString("O"))}")).Id);
        var before = await ListAsync($"until={Uri.EscapeDataString(later.ToString("O"))}&eventType={WebhookEventTypes.Test}");
        Assert.Equal(toBoth.Id, Assert.Single(before).Id);

        // The tenant's own tenant.created went to no endpoint: it has no state, and no state filter finds it.
        var created = Assert.Single(await ListAsync($"eventType={WebhookEventTypes.TenantCreated}"));
        Assert.Null(created.Status);
        Assert.Empty(created.EndpointIds);

        // Day by day: the broken endpoint's eight attempts all failed; the working one's two succeeded.
        var brokenDays = (await client.GetFromJsonAsync<WebhookEndpointActivity>(WebhooksRoutes.EndpointActivity(broken.Id), Ct))!.Days;
        Assert.Equal(14, brokenDays.Count);
        Assert.Equal(DateOnly.FromDateTime(webhooks.Clock.GetUtcNow().UtcDateTime), brokenDays[^1].Day);
        Assert.Equal((8, 0), (brokenDays.Sum(d => d.Attempts), brokenDays.Sum(d => d.Succeeded)));
        var workingDays = (await client.GetFromJsonAsync<WebhookEndpointActivity>($"{WebhooksRoutes.EndpointActivity(working.Id)}?days=3", Ct))!.Days;
        Assert.Equal(3, workingDays.Count);
        Assert.Equal((2, 2), (workingDays.Sum(d => d.Attempts), workingDays.Sum(d => d.Succeeded)));
    }

    [Fact]
    public async Task Bad_filters_are_named_and_another_tenants_endpoint_is_not_found()
    {
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var tenant = await webhooks.CreateTenantAsync("log-bad");
        var other = await webhooks.CreateTenantAsync("log-other");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var theirs = (await webhooks.CreateEndpointAsync(webhooks.ClientFor(other, WebhooksHost.Admin), "https://hooks.example.com/theirs")).Endpoint;

        foreach (var (filters, field) in new[]
        {
            ("status=Lost", "status"),
            ("status=failed", "status"),
            ("since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "until"),
            ($"eventType={new string('x', 101)}", "eventType"),
        })
        {
            using var response = await client.GetAsync($"{WebhooksRoutes.Messages}?{filters}", Ct);
            var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out _), $"{filters} should name {field}: {errors}");
        }

        using (var garbage = await client.GetAsync($"{WebhooksRoutes.Messages}?since=yesterday", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        }

        foreach (var days in new[] { 0, 32 })
        {
            using var response = await client.GetAsync($"{WebhooksRoutes.EndpointActivity(theirs.Id)}?days={days}", Ct);
            var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).GetProperty("errors");
            Assert.True(errors.TryGetProperty("days", out _), errors.ToString());
        }

        using (var activity = await client.GetAsync(WebhooksRoutes.EndpointActivity(theirs.Id), Ct))
        {
            await activity.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        using (var log = await client.GetAsync($"{WebhooksRoutes.Messages}?endpointId={theirs.Id}", Ct))
        {
            await log.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        using var reader = webhooks.ClientFor(tenant);
        using var refused = await reader.GetAsync(WebhooksRoutes.EndpointActivity(theirs.Id), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
