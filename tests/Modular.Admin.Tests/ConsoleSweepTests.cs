using Microsoft.Playwright;
using Modular.Identity.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// Every page of the console and the account pages, on a phone (390 px) and a desktop (1440 px): the page never
/// scrolls sideways (a wide table scrolls inside itself), axe-core finds nothing critical or serious, and the
/// browser reports no error (a missing favicon included). Each test visits all its pages and then reports every
/// finding at once.
/// </summary>
public sealed class ConsoleSweepTests(ConsoleSweep sweep) : IClassFixture<ConsoleSweep>
{
    private const int Phone = 390, Desktop = 1440, Height = 900;

    /// <summary>Pages whose answer is a refusal: the HTML page people get instead of problem details JSON.</summary>
    private static readonly Dictionary<string, int> Refusals = new()
    {
        ["/admin/no-such-page"] = 404,
        ["/admin/tenants/not-a-guid"] = 404,
        [IdentityRoutes.AccessDenied] = 403,
    };

    [Fact]
    public async Task Every_operator_page_fits_a_phone_and_a_desktop_and_is_accessible_and_error_free() =>
        await SweepAsync(Users.PlatformAdmin, sweep.OperatorPages(), console: true);

    [Fact]
    public async Task Every_operator_page_is_accessible_in_the_dark_theme_the_system_asks_for()
    {
        // The theme follows the system's preference: a dark one here. Layout does not change with colours, so only axe runs.
        var findings = new List<string>();
        await using var browser = await sweep.OpenAsync(Users.PlatformAdmin, Desktop, Height, dark: true);
        var page = browser.Page;
        await page.Context.AddInitScriptAsync(AxeCore);
        foreach (var path in sweep.OperatorPages())
        {
            await browser.GotoAsync(path);
            await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Use the light theme");
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            // The prerendered page is light until the circuit knows the theme: its colours then fade over (CSS transitions).
            await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");
            findings.AddRange((await page.EvaluateAsync<string[]>(RunAxe)).Select(violation => $"{path} (dark): axe {violation}"));
        }

        Assert.True(findings.Count == 0, $"{findings.Count} findings:\n" + string.Join("\n", findings));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Every_organization_page_fits_a_phone_and_a_desktop_and_is_accessible_and_error_free()
    {
        var (pages, permissions) = sweep.OrganizationPages();
        await SweepAsync(Modular.Testing.TestSignIn.Describe("owner", permissions, sweep.TenantId.ToString()), pages, console: true);
    }

    [Fact]
    public async Task Every_account_page_and_error_page_fits_a_phone_and_a_desktop_and_is_accessible_and_error_free()
    {
        string[] anonymous = [IdentityRoutes.Login, IdentityRoutes.Register, IdentityRoutes.ForgotPassword, IdentityRoutes.ResendConfirmation, .. Refusals.Keys];
        await SweepAsync(null, anonymous, console: false);

        // The test host's sign-in stands for the account cookie too: the stored user, by id.
        string[] signedIn = [IdentityRoutes.Manage, IdentityRoutes.TwoFactor, IdentityRoutes.Passkeys, IdentityRoutes.ExternalLogins];
        await SweepAsync(Modular.Testing.TestSignIn.Describe(sweep.UserId.ToString()), signedIn, console: false);
    }

    [Fact]
    public async Task The_account_pages_name_the_product_and_their_title_outranks_their_headings()
    {
        await using var browser = await sweep.OpenAsync(Modular.Testing.TestSignIn.Describe(sweep.UserId.ToString()), Phone, Height);
        var page = browser.Page;
        await page.GotoAsync(IdentityRoutes.TwoFactor);

        // The product, linking back to the account; a title larger than the sections under it.
        await Expect(page.GetByTestId("product")).ToHaveAttributeAsync("href", IdentityRoutes.Manage);
        await Expect(page.GetByTestId("product")).ToContainTextAsync("Modular");
        var title = await FontSizeAsync(page.Locator("h1"));
        Assert.True(title >= 22, $"the page title is {title}px");
        await page.GotoAsync(IdentityRoutes.Manage);
        Assert.True(await FontSizeAsync(page.Locator("h1")) > await FontSizeAsync(page.Locator("h2").First), "the title is no larger than a section heading");

        // The set-up steps' numbers stand inside the card, not in its margin.
        await page.GotoAsync(IdentityRoutes.TwoFactor);
        var inside = await page.EvaluateAsync<bool>("""
            () => {
                const list = document.querySelector('main ol'), card = document.querySelector('main');
                const indent = parseFloat(getComputedStyle(list).paddingLeft);
                return indent >= 20 && list.getBoundingClientRect().left >= card.getBoundingClientRect().left + parseFloat(getComputedStyle(card).paddingLeft) - 1;
            }
            """);
        Assert.True(inside, "the numbered steps hang outside the card");
        Assert.Empty(browser.Errors);
    }

    private static Task<double> FontSizeAsync(ILocator element) => element.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");

    /// <summary>
    /// Opens each page once on a desktop, checks it, then narrows the window to a phone's and checks it again (the
    /// console's drawer must have closed itself behind the menu button by then).
    /// </summary>
    private async Task SweepAsync(string? user, IReadOnlyList<string> paths, bool console)
    {
        var findings = new List<string>();
        await using var browser = await sweep.OpenAsync(user, Desktop, Height);
        var page = browser.Page;
        await page.Context.AddInitScriptAsync(AxeCore);

        foreach (var path in paths)
        {
            await page.SetViewportSizeAsync(Desktop, Height);
            var before = browser.Errors.Count;
            var response = console ? await browser.GotoAsync(path) : await page.GotoAsync(path);
            var expected = Refusals.GetValueOrDefault(path, 200);
            if (response?.Status != expected)
            {
                findings.Add($"{path}: answered {response?.Status}, not {expected}");
            }

            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await CheckAsync(page, $"{path} at {Desktop}px", findings);
            await ScreenshotAsync(page, path, Desktop);

            await page.SetViewportSizeAsync(Phone, Height);
            if (console)
            {
                await Expect(page.GetByTestId("menu")).ToBeVisibleAsync();
                await Expect(page.Locator(".mud-drawer")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed"));
            }

            await CheckAsync(page, $"{path} at {Phone}px", findings);
            await ScreenshotAsync(page, path, Phone);

            // A refusal's own status is reported by Chromium as a failed load of the document: expected, and the only one.
            findings.AddRange(browser.Errors.Skip(before)
                .Where(e => expected == 200 || !e.Contains($"status of {expected}", StringComparison.Ordinal) || !e.Contains(path, StringComparison.Ordinal))
                .Select(e => $"{path}: browser error {e}"));
        }

        Assert.True(findings.Count == 0, $"{findings.Count} findings:\n" + string.Join("\n", findings));
    }

    /// <summary>With <c>MODULAR_SCREENSHOTS</c> naming a folder, every swept page is saved there (docs/screenshots are made so).</summary>
    private static async Task ScreenshotAsync(IPage page, string path, int width)
    {
        if (Environment.GetEnvironmentVariable("MODULAR_SCREENSHOTS") is { Length: > 0 } folder)
        {
            var name = string.Concat(path.Trim('/').Select(c => char.IsLetterOrDigit(c) ? c : '-'));
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}-{width}.png"), FullPage = true });
        }
    }

    private static async Task CheckAsync(IPage page, string where, List<string> findings)
    {
        if (await OverflowAsync(page) is { Length: > 0 } overflow)
        {
            findings.Add($"{where}: the page scrolls sideways; {overflow}");
        }

        findings.AddRange((await page.EvaluateAsync<string[]>(RunAxe)).Select(violation => $"{where}: axe {violation}"));
    }

    /// <summary>
    /// npm's axe-core (as Deque bundles it), loaded into every document of a sweep's browser context before the page's
    /// own scripts, as the page's Content-Security-Policy cannot refuse it: loading it once per document, not per check.
    /// Other tests that check a state of a page (an open dialog) add it to their context the same way.
    /// </summary>
    internal static readonly string AxeCore = new Deque.AxeCore.Commons.BundledAxeScriptProvider().GetScript();

    /// <summary>The critical and serious violations on the page as it is now, each with up to three of its elements.</summary>
    internal const string RunAxe = """
        async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => `${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map(n => n.html).join(' | ')}`)
        """;

    /// <summary>Empty when the page is no wider than the window; else how wide, and the innermost elements that stick out.</summary>
    private static Task<string> OverflowAsync(IPage page) => page.EvaluateAsync<string>("""
        () => {
            const root = document.documentElement, width = root.clientWidth;
            if (root.scrollWidth <= width) return '';
            const out = e => e.getBoundingClientRect().right > width + 1;
            const all = [...document.body.querySelectorAll('*')];
            let culprits = all.filter(e => out(e) && ![...e.children].some(out));
            // Nothing sticks out itself: then it is content overflowing a box that lets it show.
            const spills = e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible';
            if (culprits.length === 0) culprits = all.filter(e => spills(e) && ![...e.children].some(spills));
            culprits = culprits.slice(0, 4)
                .map(e => `${e.tagName.toLowerCase()}${e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : ''}.${[...e.classList].slice(0, 3).join('.')} ends at ${Math.round(e.getBoundingClientRect().right)}px`);
            return `${root.scrollWidth}px of content in ${width}px: ${culprits.join(', ')}`;
        }
        """);
}
