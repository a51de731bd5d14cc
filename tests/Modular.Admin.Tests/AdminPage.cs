using System.Collections.Concurrent;
using System.Text;
using Microsoft.Playwright;

namespace Modular.Admin.Tests;

/// <summary>
/// One test's page in its own browser context, recording what the browser reports: console errors,
/// uncaught exceptions, the requests it made, and whether the Blazor Server circuit has rendered.
/// </summary>
public sealed class AdminPage : IAsyncDisposable
{
    private static readonly byte[] RenderBatch = Encoding.UTF8.GetBytes("JS.RenderBatch");

    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly TaskCompletionSource _circuitRendered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal AdminPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            // Chromium asks for /favicon.ico by itself; the console has none (yet), which no person notices.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                _errors.Enqueue($"{message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue("Uncaught: " + error);
        page.Request += (_, request) => _requests.Enqueue(request.Url);
        page.WebSocket += (_, socket) =>
        {
            if (socket.Url.Contains("/_blazor", StringComparison.Ordinal))
            {
                // The server sends a render batch only once the circuit runs the components interactively.
                socket.FrameReceived += (_, frame) =>
                {
                    if (frame.Binary is { } payload && payload.AsSpan().IndexOf(RenderBatch) >= 0)
                    {
                        _circuitRendered.TrySetResult();
                    }
                };
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions so far.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>The URL of every request the page made so far, documents, scripts and fetches alike.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>
    /// Waits until the page is interactive: blazor.web.js loaded, the circuit connected over its
    /// WebSocket, and the server rendered into the page through it. A prerendered page that never gets
    /// there looks right but does nothing: that fails here, with what the browser reported.
    /// </summary>
    public async Task WaitForCircuitAsync()
    {
        try
        {
            await _circuitRendered.Task.WaitAsync(TimeSpan.FromMilliseconds(AdminConsoleFixture.Timeout), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail("The page never became interactive (no Blazor circuit render). Browser errors: " +
                (Errors.Count == 0 ? "none" : string.Join(" | ", Errors)));
        }
    }

    /// <summary>Follows the navigation menu's link named <paramref name="name"/>, and waits until the address is the link's.</summary>
    public async Task FollowMenuLinkAsync(string name)
    {
        var link = Page.GetByTestId("admin-nav").GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
        var path = await link.GetAttributeAsync("href") ?? throw new InvalidOperationException($"The menu link {name} has no address.");
        await link.ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path);
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
