using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using Xunit;

namespace Modular.Testing;

/// <summary>One request as a receiver saw it.</summary>
public sealed record ReceivedWebhook(string Id, long Timestamp, string Signature, string Body, IHeaderDictionary Headers)
{
    /// <summary>Verifies with the independent StandardWebhooks library (which also checks the timestamp is recent).</summary>
    public bool VerifiesWith(string secret)
    {
        try
        {
            new StandardWebhook(secret).Verify(Body, Headers);
            return true;
        }
        catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether one of the signatures is the one the independent library computes for this secret.
    /// (StandardWebhooks 1.1.2's <c>Verify</c> did not accept a rotation's second signature here, so that one is checked this way.)
    /// </summary>
    public bool CarriesSignatureOf(string secret) =>
        Signature.Split(' ').Contains(new StandardWebhook(secret).Sign(Id, DateTimeOffset.FromUnixTimeSeconds(Timestamp), Body));
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 that records every webhook and answers as the test says:
/// <see cref="Respond"/> gets the 1-based number of the request.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private Receiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>How to answer request number n; 200 by default.</summary>
    public Func<int, HttpContext, Task> Respond { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Completes when the first request has arrived.</summary>
    public TaskCompletionSource FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Url { get; private set; } = "";

    public int Port => new Uri(Url).Port;

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hooks";
        return receiver;
    }

    public static Func<int, HttpContext, Task> Status(int status) => (_, http) =>
    {
        http.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var headers = new HeaderDictionary(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
        Received.Enqueue(new ReceivedWebhook(
            headers["webhook-id"].ToString(),
            long.TryParse(headers["webhook-timestamp"].ToString(), out var t) ? t : 0,
            headers["webhook-signature"].ToString(),
            body,
            headers));
        var number = Interlocked.Increment(ref _count);
        FirstRequest.TrySetResult();
        await Respond(number, http);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
