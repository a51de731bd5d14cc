using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;
using static Modular.Cluster.Tests.TwoInstances;

namespace Modular.Cluster.Tests;

/// <summary>What one instance does, the other knows: a tenant's events reach a stream on the other, a suspension holds there.</summary>
public sealed class PropagationTests(PostgresServer postgres)
{
    [Fact]
    public async Task An_event_caused_on_one_instance_reaches_a_stream_on_the_other_and_a_suspension_holds_on_both()
    {
        await using var cluster = await TwoInstances.StartAsync(postgres);
        var (tenantId, token) = await cluster.TenantWithClientAsync("acme", WebhooksPermissions.Read, WebhooksPermissions.Manage);
        using var atA = Bearer(Direct(cluster.A), token);
        using var atB = Bearer(Direct(cluster.B), token);
        atB.Timeout = Timeout.InfiniteTimeSpan;

        await using (var stream = await EventStream.OpenAsync(atB))
        {
            var response = await atA.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventType = WebhookEventTypes.Test, eventId = "from-a", data = new { n = 7 } }, Ct);
            var sent = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<WebhookMessageDto>(Ct))!;
            var received = await stream.NextEventAsync();
            Assert.Equal((sent.WebhookId, WebhookEventTypes.Test), (received.Id, received.Type));
        }

        // B has the tenant cached (it just served it); a suspension through A is refused on B as soon as it is told.
        Assert.Equal(HttpStatusCode.OK, (await atB.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode);
        using var operatorAtA = Bearer(Direct(cluster.A), await cluster.OperatorTokenAsync());
        var elapsed = Stopwatch.StartNew();
        (await operatorAtA.PostAsJsonAsync(TenantsRoutes.Suspend(tenantId), new { reason = "unpaid" }, Ct)).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(
            async () => (await atB.GetAsync(TenantsRoutes.CurrentTenant, Ct)).StatusCode == HttpStatusCode.Forbidden,
            "the other instance refuses the suspended tenant");
        TestContext.Current.SendDiagnosticMessage($"A suspension through A was in force on B {elapsed.ElapsedMilliseconds} ms after it was sent.");
    }
}
