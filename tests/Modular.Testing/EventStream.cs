using System.Net;
using System.Net.Http.Headers;
using Modular.Webhooks.Contracts;
using Xunit;

namespace Modular.Testing;

/// <summary>
/// An open <c>GET /api/v1/tenant/events/stream</c> (<c>text/event-stream</c>), read a line at a time as a browser's
/// EventSource would; a minute without the expected line fails.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _never = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
        _never.CancelAfter(TimeSpan.FromMinutes(1));
    }

    public static async Task<EventStream> OpenAsync(HttpClient client)
    {
        var response = await client.GetAsync(WebhooksRoutes.TenantEventStream, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("text/event-stream"), response.Content.Headers.ContentType);
        var stream = new EventStream(response, await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        Assert.Equal("retry: 2000", await stream.NextLineAsync(_ => true)); // the stream has started: events from here on reach it
        return stream;
    }

    public async Task<string> NextLineAsync(Func<string, bool> wanted)
    {
        while (true)
        {
            var line = await _reader.ReadLineAsync(_never.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (wanted(line))
            {
                return line;
            }
        }
    }

    /// <summary>The next event (id, type, data), skipping heartbeats.</summary>
    public async Task<(string Id, string Type, string Data)> NextEventAsync()
    {
        var id = (await NextLineAsync(line => line.StartsWith("id: ", StringComparison.Ordinal)))[4..];
        var type = (await NextLineAsync(line => line.StartsWith("event: ", StringComparison.Ordinal)))[7..];
        var data = (await NextLineAsync(line => line.StartsWith("data: ", StringComparison.Ordinal)))[6..];
        return (id, type, data);
    }

    public async ValueTask DisposeAsync()
    {
        _response.Dispose(); // the client leaves: the server's stream ends with the request
        _reader.Dispose();
        _never.Dispose();
        await Task.CompletedTask;
    }
}
