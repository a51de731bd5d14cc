using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Modular.Admin.Tests;

/// <summary>
/// One test's page in its own browser context, recording what the browser reports: console errors,
/// uncaught exceptions and the requests it made; and the way to wait until the page is interactive.
/// </summary>
public sealed class AdminPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _requests = new();

    internal AdminPage(IBrowserContext context, IPage page, Uri site)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            // Chromium asks every origin for /favicon.ico by itself: the host under test serves one, a stand-in provider
            // on another origin (the tests' upstream identity provider) need not.
            var foreignFavicon = message.Location.Contains("/favicon.ico", StringComparison.Ordinal)
                && !message.Location.StartsWith(site.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);
            if (message.Type == "error" && !foreignFavicon)
            {
                _errors.Enqueue($"{message.Text} (at {message.Location})");
            }
        };
        page.PageError += (_, error) => _errors.Enqueue("Uncaught: " + error);
        page.Request += (_, request) => _requests.Enqueue(request.Url);
    }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions so far.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>The URL of every request the page made so far, documents, scripts and fetches alike.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Opens <paramref name="path"/> as a new document and waits until it is interactive.</summary>
    public async Task<IResponse?> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(path);
        await WaitUntilInteractiveAsync();
        return response;
    }

    /// <summary>Reloads the page (a new document, a new circuit) and waits until it is interactive.</summary>
    public async Task ReloadAsync()
    {
        await Page.ReloadAsync();
        await WaitUntilInteractiveAsync();
    }

    /// <summary>
    /// Waits until the current document is interactive: the console's layout sets <c>data-interactive</c> once
    /// its circuit's first render has reached the page, which a prerendered document never has. A page that
    /// never gets there looks right but does nothing: that fails here, with what the browser reported.
    /// </summary>
    public async Task WaitUntilInteractiveAsync()
    {
        try
        {
            await Assertions.Expect(Page.GetByTestId("admin-layout")).ToHaveAttributeAsync("data-interactive", "true");
        }
        catch (PlaywrightException)
        {
            Assert.Fail("The page never became interactive (its circuit never rendered). Browser errors: " +
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

    /// <summary>
    /// Picks the item <paramref name="itemTestId"/> of the actions menu whose button is in <paramref name="scope"/> (a row,
    /// a page header): the menu opens in a popover outside the row, so the item is found on the page.
    /// </summary>
    public async Task ChooseActionAsync(ILocator scope, string itemTestId)
    {
        await scope.GetByTestId("endpoint-actions").GetByRole(AriaRole.Button).ClickAsync();
        await Page.GetByTestId(itemTestId).ClickAsync();
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
