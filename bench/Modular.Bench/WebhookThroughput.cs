using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using Modular.Testing;
using Modular.Webhooks.Contracts;

namespace Modular.Bench;

/// <summary>
/// The delivery pipeline end to end, in one process: messages sent through the mediator (as a module
/// or the API would), the real delivery worker, signed HTTP deliveries to a Kestrel receiver on
/// loopback. Reports deliveries per second and enqueue→delivery latency (p50/p99). SQLite by default;
/// <c>postgres</c> starts a throwaway cluster (as the tests do). Goal: ≥ 1,000 deliveries/s.
/// Run: <c>dotnet run -c Release --project bench/Modular.Bench -- webhooks [sqlite|postgres] [count]</c>.
/// </summary>
internal static class WebhookThroughput
{
    public static async Task RunAsync(string provider, int count)
    {
        await using var postgres = new PostgresServer();
        if (provider == "postgres")
        {
            await postgres.InitializeAsync();
        }

        // 1. The dispatcher alone: a backlog of deliveries drained by the claim/send/record loop.
        {
            var received = new ConcurrentDictionary<string, long>();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var receiver = await StartReceiverAsync(received, count, done);
            await using var host = await StartHostAsync(provider, postgres, receiver, deliveryWorker: false);
            var (tenantId, _) = await SetUpAsync(host, receiver);
            await EnqueueAsync(host, tenantId, count);
            var dispatcher = host.Services.GetRequiredService<Webhooks.Delivery.WebhookDispatcher>();
            var started = Stopwatch.GetTimestamp();
            while (await dispatcher.DispatchBatchAsync(CancellationToken.None) > 0)
            {
            }

            var drained = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"webhooks on {provider}: drained a backlog of {received.Count} deliveries in {drained.TotalSeconds:0.00} s: {received.Count / drained.TotalSeconds:0} deliveries/s");
        }

        // 2. End to end with the live worker: messages sent as fast as the producers can, latency per message.
        {
            var received = new ConcurrentDictionary<string, long>();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var receiver = await StartReceiverAsync(received, count, done);
            await using var host = await StartHostAsync(provider, postgres, receiver, deliveryWorker: true);
            var (tenantId, _) = await SetUpAsync(host, receiver);
            var started = Stopwatch.GetTimestamp();
            var enqueued = await EnqueueAsync(host, tenantId, count);
            var enqueuedAll = Stopwatch.GetElapsedTime(started);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            var elapsed = Stopwatch.GetElapsedTime(started);
            var latencies = enqueued.Select(e => Stopwatch.GetElapsedTime(e.Value, received[e.Key]).TotalMilliseconds).Order().ToArray();
            Console.WriteLine($"webhooks on {provider}, live: {count} messages sent in {enqueuedAll.TotalSeconds:0.00} s ({count / enqueuedAll.TotalSeconds:0}/s), all delivered after {elapsed.TotalSeconds:0.00} s ({count / elapsed.TotalSeconds:0} deliveries/s)");
            Console.WriteLine($"  enqueue→delivery latency: p50 {Percentile(latencies, 0.50):0} ms, p99 {Percentile(latencies, 0.99):0} ms, max {latencies[^1]:0} ms");
        }
    }

    private static async Task<ModularHost> StartHostAsync(string provider, PostgresServer postgres, WebApplication receiver, bool deliveryWorker)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Error",
            ["Webhooks:AllowHttp"] = "true",
            ["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32",
            ["Webhooks:DeliveryEnabled"] = deliveryWorker ? "true" : "false",
            ["Webhooks:BatchSize"] = Environment.GetEnvironmentVariable("MODULAR_BENCH_WEBHOOK_BATCH") ?? "100",
        };
        if (provider == "postgres")
        {
            settings["Database:Provider"] = "Postgres";
            var database = await postgres.CreateDatabaseAsync();
            settings["Database:ConnectionString"] = database;
            settings["Database:MigrationConnectionString"] = PostgresServer.AsOwner(database);
        }

        var host = ModularHost.OnSqlite(settings);
        _ = host.Services; // starts the host, its migrations and workers
        return host;
    }

    private static async Task<(Guid TenantId, string Url)> SetUpAsync(ModularHost host, WebApplication receiver)
    {
        var url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hooks";
        var tenant = await SendAsync(host, new CreateTenant("bench", "Bench"));
        await SendAsync(host, new CreateWebhookEndpoint(url, [WebhookEventTypes.Test], TenantId: tenant.Id));
        return (tenant.Id, url);
    }

    /// <summary>Sends <paramref name="count"/> messages from 8 concurrent producers; returns each webhook-id's send time.</summary>
    private static async Task<ConcurrentDictionary<string, long>> EnqueueAsync(ModularHost host, Guid tenantId, int count)
    {
        var enqueued = new ConcurrentDictionary<string, long>();
        var data = JsonSerializer.SerializeToElement(new { invoice = "in_123", amount = 4200, currency = "EUR" });
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var before = Stopwatch.GetTimestamp();
            var message = await SendAsync(host, new SendWebhookMessage(WebhookEventTypes.Test, $"bench-{i}", data, tenantId));
            enqueued[message.WebhookId] = before;
        });
        return enqueued;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<T> SendAsync<T>(ModularHost host, ICommand<T> command)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    private static async Task<WebApplication> StartReceiverAsync(ConcurrentDictionary<string, long> received, int count, TaskCompletionSource done)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/hooks", (HttpContext http) =>
        {
            if (received.TryAdd(http.Request.Headers["webhook-id"].ToString(), Stopwatch.GetTimestamp()) && received.Count == count)
            {
                done.TrySetResult();
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        return app;
    }
}
