using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Modular.Cluster.Tests;

/// <summary>
/// A webhook receiver on loopback that takes <c>delay</c> to answer each delivery, so deliveries are in flight when an
/// instance is stopped; it counts every attempt per <c>webhook-id</c> and notes any attempt that overlapped another of
/// the same message (a concurrent duplicate).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentBag<string> _overlapping = [];
    private readonly TaskCompletionSource _enoughInFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _total;
    private int _enoughAt = int.MaxValue;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hook";

    /// <summary>Attempts per message (its <c>webhook-id</c>).</summary>
    public IReadOnlyDictionary<string, int> Attempts => _attempts;

    /// <summary>Messages two attempts of which were in flight at once.</summary>
    public IReadOnlyCollection<string> Overlapping => _overlapping;

    /// <summary>Completes while the <paramref name="count"/>th attempt is being answered: an instance is mid-batch.</summary>
    public Task InFlightAttempt(int count)
    {
        _enoughAt = count;
        return _enoughInFlight.Task;
    }

    public static async Task<WebhookReceiver> StartAsync(TimeSpan delay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var id = request.Headers["webhook-id"].ToString();
            receiver._attempts.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (receiver._inFlight.AddOrUpdate(id, 1, (_, n) => n + 1) > 1)
            {
                receiver._overlapping.Add(id);
            }

            if (Interlocked.Increment(ref receiver._total) >= receiver._enoughAt)
            {
                receiver._enoughInFlight.TrySetResult();
            }

            try
            {
                await Task.Delay(delay, CancellationToken.None); // answered in full even if the sender is gone
            }
            finally
            {
                receiver._inFlight.AddOrUpdate(id, 0, (_, n) => n - 1);
            }

            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
