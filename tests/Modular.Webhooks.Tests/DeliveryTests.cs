using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.Tests;

/// <summary>Deliveries to real Kestrel receivers on loopback, the schedule driven by a fake clock.</summary>
public sealed class DeliveryTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [Trait("Category", "Smoke")]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_message_arrives_signed_so_a_standard_webhooks_library_verifies_it(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = await webhooks.CreateEndpointAsync(client, receiver.Url);

        var message = await webhooks.SendAsync(client, "evt-1", new { invoice = "in_1", amount = 4200 });
        Assert.Equal(1, message.Deliveries);
        Assert.Equal(1, await webhooks.DispatchAsync());

        var received = Assert.Single(receiver.Received);
        Assert.True(received.VerifiesWith(endpoint.Secret), $"signature {received.Signature} must verify");
        Assert.Equal(message.WebhookId, received.Id);
        var payload = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal(WebhookEventTypes.Test, payload.GetProperty("type").GetString());
        Assert.Equal(4200, payload.GetProperty("data").GetProperty("amount").GetInt32());
        Assert.Equal("application/json", received.Headers.ContentType.ToString().Split(';')[0]);

        // The stored payload is the body sent, byte for byte.
        var detail = (await client.GetFromJsonAsync<WebhookMessageDetailDto>(WebhooksRoutes.Message(message.Id), Ct))!;
        Assert.Equal(received.Body, detail.Payload);
        var delivery = Assert.Single(detail.Deliveries);
        Assert.Equal(WebhookDeliveryStatuses.Succeeded, delivery.Status);
        Assert.Equal(200, Assert.Single(delivery.AttemptLog).ResponseStatus);
        Assert.Equal(0, await webhooks.DispatchAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_500_is_retried_on_schedule_with_the_same_webhook_id_and_a_fresh_timestamp(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = (n, http) => Receiver.Status(n == 1 ? 500 : 200)(n, http);
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = await webhooks.CreateEndpointAsync(client, receiver.Url);
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync();
        var delivery = await webhooks.DeliveryAsync(message.Id);
        var first = Assert.Single(await webhooks.AttemptsAsync(message.Id));
        Assert.Equal(500, first.ResponseStatus);
        Assert.Equal(nameof(DeliveryStatus.Pending), delivery.Status.ToString());
        Assert.InRange(delivery.NextAttemptAt!.Value - first.AttemptedAt, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));

        Assert.Equal(0, await webhooks.DispatchAsync()); // not due yet
        webhooks.Clock!.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(1, await webhooks.DispatchAsync());

        Assert.Equal(DeliveryStatus.Succeeded, (await webhooks.DeliveryAsync(message.Id)).Status);
        var received = receiver.Received.ToArray();
        Assert.Equal(2, received.Length);
        Assert.Equal(received[0].Id, received[1].Id);
        Assert.Equal(7, received[1].Timestamp - received[0].Timestamp);
        Assert.All(received, r => Assert.True(r.VerifiesWith(endpoint.Secret)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task After_the_last_attempt_the_message_fails_and_endpoint_message_failed_is_raised(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = Receiver.Status(500);
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        var message = await webhooks.SendAsync(client, "evt-1");

        // Walk the fixed schedule on the manual clock: each of the eight scheduled attempts is made once.
        foreach (var scheduled in Enumerable.Range(1, 8))
        {
            Assert.Equal(1, await webhooks.DispatchAsync());
            var delivery = await webhooks.DeliveryAsync(message.Id);
            if (scheduled < 8)
            {
                Assert.Equal(DeliveryStatus.Pending, delivery.Status);
                webhooks.Clock!.SetUtcNow(delivery.NextAttemptAt!.Value);
            }
        }

        Assert.Equal(DeliveryStatus.Failed, (await webhooks.DeliveryAsync(message.Id)).Status);
        var attempts = await webhooks.AttemptsAsync(message.Id);
        Assert.Equal(8, attempts.Count);
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b.AttemptedAt - a.AttemptedAt).ToList();
        var schedule = Delivery.RetrySchedule.Delays;
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i], schedule[i] * 0.8, schedule[i] * 1.2);
        }

        Assert.Equal(8, receiver.Received.Count);
        var notices = await webhooks.ReadAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Type.Contains(nameof(WebhookMessageFailed))).ToListAsync(Ct));
        Assert.Contains(message.Id.ToString(), Assert.Single(notices).Payload);

        // The endpoint failed for ~1.3 days, not 5: still enabled.
        Assert.True((await client.GetFromJsonAsync<List<WebhookEndpointDto>>(WebhooksRoutes.Endpoints, Ct))!.Single().Enabled);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Gone_disables_the_endpoint(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = Receiver.Status(410);
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = await webhooks.CreateEndpointAsync(client, receiver.Url);
        var first = await webhooks.SendAsync(client, "evt-1");
        var second = await webhooks.SendAsync(client, "evt-2");

        Assert.Equal(2, await webhooks.DispatchAsync());

        var after = (await client.GetFromJsonAsync<WebhookEndpointDto>(WebhooksRoutes.Endpoint(endpoint.Endpoint.Id), Ct))!;
        Assert.False(after.Enabled);
        Assert.Contains("410", after.DisabledReason);
        Assert.Equal(DeliveryStatus.Failed, (await webhooks.DeliveryAsync(first.Id)).Status);
        Assert.Equal(DeliveryStatus.Failed, (await webhooks.DeliveryAsync(second.Id)).Status);

        // A disabled endpoint gets no new deliveries.
        Assert.Equal(0, (await webhooks.SendAsync(client, "evt-3")).Deliveries);
        webhooks.Clock!.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await webhooks.DispatchAsync());
        Assert.Equal(2, receiver.Received.Count);
    }

    [Theory]
    [InlineData("8", 8)] // within 1x-2x of the ~5 s scheduled delay: taken as given
    [InlineData("3600", 0)] // far beyond: capped at twice the scheduled delay
    public async Task Retry_after_is_honoured_within_bounds(string retryAfter, int expectedSeconds)
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = (_, http) =>
        {
            http.Response.StatusCode = 503;
            http.Response.Headers.RetryAfter = retryAfter;
            return Task.CompletedTask;
        };
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync();
        var attempt = Assert.Single(await webhooks.AttemptsAsync(message.Id));
        var delay = attempt.NextAttemptAt!.Value - attempt.AttemptedAt;
        if (expectedSeconds > 0)
        {
            Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
        }
        else
        {
            Assert.InRange(delay, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
        }
    }

    [Fact]
    public async Task A_429_waits_at_least_a_minute()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = Receiver.Status(429);
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync();
        var attempt = Assert.Single(await webhooks.AttemptsAsync(message.Id));
        Assert.True(attempt.NextAttemptAt!.Value - attempt.AttemptedAt >= TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_receiver_that_hangs_past_the_timeout_is_a_failed_attempt_and_the_next_waits_a_minute()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = (_, http) => Task.Delay(Timeout.Infinite, http.RequestAborted);
        await using var webhooks = await WebhooksHost.StartAsync(
            DatabaseProvider.Sqlite, postgres, settings: new Dictionary<string, string?> { ["Webhooks:Timeout"] = "00:00:01" });
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync();
        var attempt = Assert.Single(await webhooks.AttemptsAsync(message.Id));
        Assert.Null(attempt.ResponseStatus);
        Assert.Contains("Timed out", attempt.Error);
        Assert.True(attempt.NextAttemptAt!.Value - attempt.AttemptedAt >= TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        await using var target = await Receiver.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        receiver.Respond = (_, http) =>
        {
            http.Response.StatusCode = 307;
            http.Response.Headers.Location = target.Url;
            return Task.CompletedTask;
        };
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        var message = await webhooks.SendAsync(client, "evt-1");

        await webhooks.DispatchAsync();
        Assert.Equal(307, Assert.Single(await webhooks.AttemptsAsync(message.Id)).ResponseStatus);
        Assert.Equal(DeliveryStatus.Pending, (await webhooks.DeliveryAsync(message.Id)).Status); // a failure, retried
        Assert.Empty(target.Received);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_delivery_cut_off_by_a_crash_is_redone_after_restart_with_the_same_webhook_id(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond = (n, http) => n == 1 ? release.Task.WaitAsync(http.RequestAborted) : Task.CompletedTask;
        var sqliteDirectory = Directory.CreateTempSubdirectory("modular-webhooks-crash-").FullName;
        var database = provider == DatabaseProvider.Postgres
            ? await postgres.CreateDatabaseAsync()
            : $"Data Source={Path.Combine(sqliteDirectory, "modular-{module}.db")}";
        var settings = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = database,
            ["Database:MigrationConnectionString"] = provider == DatabaseProvider.Postgres ? PostgresServer.AsOwner(database) : null,
        };
        try
        {
            WebhookMessageDto message;
            await using (var before = await WebhooksHost.StartAsync(provider, postgres, settings: settings))
            {
                var tenant = await before.CreateTenantAsync("acme");
                var client = before.ClientFor(tenant, WebhooksHost.Admin);
                await before.CreateEndpointAsync(client, receiver.Url);
                message = await before.SendAsync(client, "evt-1");

                // The process goes down while the receiver is still reading the request.
                using var crash = new CancellationTokenSource();
                var dispatching = before.DispatchAsync(crash.Token);
                await receiver.FirstRequest.Task.WaitAsync(Ct);
                await crash.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatching);
            }

            await using var after = await WebhooksHost.StartAsync(provider, postgres, settings: settings);
            Assert.Equal(1, await after.DispatchAsync());
            Assert.Equal(DeliveryStatus.Succeeded, (await after.DeliveryAsync(message.Id)).Status);
            var received = receiver.Received.ToArray();
            Assert.Equal(2, received.Length);
            Assert.All(received, r => Assert.Equal(message.WebhookId, r.Id));
        }
        finally
        {
            release.TrySetResult();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(sqliteDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Two_dispatchers_at_once_never_deliver_one_attempt_twice_on_postgres()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(
            DatabaseProvider.Postgres, postgres, settings: new Dictionary<string, string?> { ["Webhooks:BatchSize"] = "5" });
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        for (var i = 0; i < 40; i++)
        {
            await webhooks.SendAsync(client, $"evt-{i}");
        }

        async Task DrainAsync()
        {
            while (await webhooks.DispatchAsync() > 0)
            {
            }
        }

        await Task.WhenAll(DrainAsync(), DrainAsync(), DrainAsync());
        var ids = receiver.Received.Select(r => r.Id).ToList();
        Assert.Equal(40, ids.Count);
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_rotated_secret_signs_beside_the_old_one_until_the_grace_period_ends(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        var endpoint = await webhooks.CreateEndpointAsync(client, receiver.Url);

        var rotated = await client.PostAsync(WebhooksRoutes.RotateSecret(endpoint.Endpoint.Id), null, Ct);
        var secret = (await rotated.Content.ReadFromJsonAsync<WebhookEndpointSecret>(Ct))!;
        Assert.NotEqual(endpoint.Secret, secret.Secret);
        await webhooks.SendAsync(client, "evt-1");
        await webhooks.DispatchAsync();
        var during = receiver.Received.Last();
        Assert.Equal(2, during.Signature.Split(' ').Length);
        Assert.True(during.VerifiesWith(secret.Secret));
        Assert.True(during.CarriesSignatureOf(endpoint.Secret), "the old secret still signs");

        // The secret is stored encrypted, never as given.
        var stored = await webhooks.ReadAsync(db => db.Endpoints.AsNoTracking().SingleAsync(Ct));
        Assert.DoesNotContain(secret.Secret["whsec_".Length..], stored.ProtectedSecret);

        webhooks.Clock!.Advance(TimeSpan.FromHours(25));
        await webhooks.SendAsync(client, "evt-2");
        await webhooks.DispatchAsync();
        var afterGrace = receiver.Received.Last();
        Assert.Single(afterGrace.Signature.Split(' '));
        var body = afterGrace.Body;
        Assert.Equal(Delivery.WebhookSignature.Sign(secret.Secret, afterGrace.Id, afterGrace.Timestamp, body), afterGrace.Signature);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenants_integration_event_becomes_a_webhook_to_that_tenants_endpoints_only(DatabaseProvider provider)
    {
        await using var acmeReceiver = await Receiver.StartAsync();
        await using var globexReceiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(provider, postgres);
        var acme = await webhooks.CreateTenantAsync("acme");
        var globex = await webhooks.CreateTenantAsync("globex");
        var acmeAdmin = webhooks.ClientFor(acme, WebhooksHost.Admin);
        var acmeEndpoint = await webhooks.CreateEndpointAsync(acmeAdmin, acmeReceiver.Url, new { url = acmeReceiver.Url, eventTypes = new[] { WebhookEventTypes.TenantRenamed } });
        await webhooks.CreateEndpointAsync(webhooks.ClientFor(globex, WebhooksHost.Admin), globexReceiver.Url);

        var operatorClient = webhooks.Host.CreateClientAs("operator", Tenants.Contracts.TenantsPermissions.Manage);
        (await operatorClient.PatchAsJsonAsync(TenantsRoutes.Tenant(acme.Id), new { name = "Acme Inc." }, Ct)).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(
            () => webhooks.ReadAsync(db => db.Messages.AnyAsync(m => m.EventType == WebhookEventTypes.TenantRenamed, Ct)),
            "tenant.renamed became a message");
        await webhooks.DispatchAsync();

        var received = Assert.Single(acmeReceiver.Received);
        Assert.True(received.CarriesSignatureOf(acmeEndpoint.Secret));
        var data = JsonDocument.Parse(received.Body).RootElement.GetProperty("data");
        Assert.Equal("Acme Inc.", data.GetProperty("newName").GetString());
        Assert.Empty(globexReceiver.Received);
    }

    [Fact]
    public async Task An_endpoint_rate_limit_spreads_deliveries_without_counting_attempts()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url, new { url = receiver.Url, rateLimitPerSecond = 1 });
        for (var i = 0; i < 3; i++)
        {
            await webhooks.SendAsync(client, $"evt-{i}");
        }

        Assert.Equal(3, await webhooks.DispatchAsync());
        Assert.Single(receiver.Received);
        var pending = await webhooks.ReadAsync(db => db.Deliveries.AsNoTracking().Where(d => d.Status == DeliveryStatus.Pending).ToListAsync(Ct));
        Assert.Equal(2, pending.Count);
        Assert.All(pending, d => Assert.Equal(0, d.Attempts));
    }

    [Fact]
    public async Task Messages_and_attempts_are_pruned_after_the_retention_period()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var webhooks = await WebhooksHost.StartAsync(DatabaseProvider.Sqlite, postgres, fakeClock: true);
        var tenant = await webhooks.CreateTenantAsync("acme");
        var client = webhooks.ClientFor(tenant, WebhooksHost.Admin);
        await webhooks.CreateEndpointAsync(client, receiver.Url);
        await webhooks.SendAsync(client, "evt-old");
        await webhooks.DispatchAsync();
        webhooks.Clock!.Advance(TimeSpan.FromDays(31));
        await webhooks.SendAsync(client, "evt-new");

        var retention = webhooks.Host.Services.GetRequiredService<Delivery.WebhookRetention>();
        Assert.Equal(2, await retention.PruneAsync(Ct)); // evt-old and the tenant's tenant.created
        var left = await webhooks.ReadAsync(db => db.Messages.AsNoTracking().Select(m => m.EventId).ToListAsync(Ct));
        Assert.Equal(["evt-new"], left);
        Assert.Equal(0, await webhooks.ReadAsync(db => db.Attempts.CountAsync(Ct)));
    }
}
