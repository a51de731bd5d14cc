using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Modular.Webhooks.Contracts;
using static Modular.Cluster.Tests.TwoInstances;

namespace Modular.Cluster.Tests;

/// <summary>
/// Webhook deliveries when the instance sending them goes away mid-batch: stopped (SIGTERM), it finishes the batch it
/// claimed and the other instance sends the rest, each once; killed (kill -9), the other sends everything, the killed
/// batch again (at least once), and never two attempts of one message at the same time.
/// </summary>
public sealed class WorkTakeoverTests(PostgresServer postgres)
{
    private const int Messages = 20;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Deliveries_claimed_by_an_instance_that_goes_away_mid_batch_are_all_made_by_the_other(bool killed)
    {
        await using var cluster = await TwoInstances.StartAsync(postgres, new Dictionary<string, string> { ["Webhooks__BatchSize"] = "5" });
        // A receiver that takes 700 ms to answer, so deliveries are in flight when A goes away, and notes every attempt
        // that overlapped another of the same message (a concurrent duplicate).
        await using var receiver = await Receiver.StartAsync();
        var inFlight = new ConcurrentDictionary<string, int>();
        var overlapping = new ConcurrentBag<string>();
        var midBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond = async (attempt, http) =>
        {
            var id = http.Request.Headers["webhook-id"].ToString();
            if (inFlight.AddOrUpdate(id, 1, (_, n) => n + 1) > 1)
            {
                overlapping.Add(id);
            }

            if (attempt == 7)
            {
                midBatch.TrySetResult(); // the second batch (of five) is being sent
            }

            await Task.Delay(TimeSpan.FromMilliseconds(700), CancellationToken.None); // answered in full even if the sender is gone
            inFlight.AddOrUpdate(id, 0, (_, n) => n - 1);
        };
        int Attempts(string id) => receiver.Received.Count(r => r.Id == id);
        var (_, token) = await cluster.TenantWithClientAsync("acme", WebhooksPermissions.Read, WebhooksPermissions.Manage);
        using var api = Bearer(Direct(cluster.A), token);
        var endpoint = await api.PostAsJsonAsync(WebhooksRoutes.Endpoints, new { url = receiver.Url }, Ct);
        Assert.True(endpoint.StatusCode == HttpStatusCode.Created, await endpoint.Content.ReadAsStringAsync(Ct));

        // Only A is running while the messages are sent, so A claims the first batches.
        await cluster.B.TerminateAsync();
        var sent = new List<string>();
        for (var i = 0; i < Messages; i++)
        {
            var response = await api.PostAsJsonAsync(WebhooksRoutes.Messages, new { eventType = WebhookEventTypes.Test, eventId = $"takeover-{i}", data = new { i } }, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
            sent.Add((await response.Content.ReadFromJsonAsync<WebhookMessageDto>(Ct))!.WebhookId);
        }

        await midBatch.Task.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        var whileInFlight = receiver.Received.Select(r => r.Id).ToHashSet();
        if (killed)
        {
            await cluster.A.KillAsync();
        }
        else
        {
            await cluster.A.TerminateAsync();
        }

        await cluster.B.StartAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(sent.All(id => Attempts(id) > 0)), "every message was delivered");
        Assert.Empty(overlapping);
        if (killed)
        {
            // The batch A held when it died is sent again by B: at least once.
            Assert.Contains(whileInFlight, id => Attempts(id) > 1);
        }
        else
        {
            // A finished and recorded its batch before it exited: nothing was sent twice.
            Assert.All(sent, id => Assert.Equal(1, Attempts(id)));
        }
    }
}
