using System.Net;
using Microsoft.Playwright;

namespace Modular.Admin.Tests;

/// <summary>
/// The real host on a real Kestrel (127.0.0.1, a free port, fresh SQLite files) and Debian's headless
/// Chromium driven by Playwright: one of each per test class, a fresh browser context per test.
/// Without Chromium (<c>/usr/bin/chromium</c>) the tests skip, except in CI (<c>CI=true</c>), where they fail.
/// </summary>
public class AdminConsoleFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium; <c>MODULAR_TEST_CHROMIUM</c> names another build of it.</summary>
    public static string ChromiumPath { get; } =
        Environment.GetEnvironmentVariable("MODULAR_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>How long a page or an assertion waits for the console before calling it "never": a first circuit on 2 busy cores can take many seconds.</summary>
    public const float Timeout = 60_000;

    // No sandbox (root in a container), no GPU, and nothing that reaches for the network: the machine has none.
    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private ModularHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The host under test; its <c>CreateClient</c> clients talk to the same Kestrel as the browser.</summary>
    public ModularHost Host => _host ?? throw new InvalidOperationException("The host was not started (no Chromium).");

    /// <summary>Where Kestrel listens, e.g. <c>http://127.0.0.1:40965/</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>
    /// The name the browser (and <see cref="BaseAddress"/>) uses for Kestrel's loopback address. WebAuthn refuses IP
    /// addresses, so the passkey tests say <c>localhost</c>, which Chromium resolves to the loopback addresses itself.
    /// </summary>
    protected virtual string BrowserHostName => "127.0.0.1";

    public virtual async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return; // each test skips (or, in CI, fails) with the reason: see OpenAsync
        }

        _host = CreateHost();
        _host.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _host.StartServer();
        // After StartServer the factory's BaseAddress is the address Kestrel bound (the same as the
        // server's IServerAddressesFeature), so clients from CreateClient reach the real server too.
        BaseAddress = new UriBuilder(_host.ClientOptions.BaseAddress) { Host = BrowserHostName }.Uri;
        await WarmUpAsync();

        // Playwright's driver (node) ships in the NuGet package and is copied to the output directory;
        // the browser is Debian's, so Playwright's own browser download is never needed.
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
        });
        Assertions.SetDefaultExpectTimeout(Timeout);
    }

    /// <summary>
    /// Renders a console page once before any test runs: the first render JIT-compiles MudBlazor and the
    /// module pages, which on two busy cores can take longer than a test's page wait.
    /// </summary>
    protected virtual async Task WarmUpAsync()
    {
        using var client = Host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = BaseAddress });
        client.DefaultRequestHeaders.Add("Cookie", $"{TestSignIn.Cookie}={Uri.EscapeDataString(Users.PlatformAdmin)}");
        await client.GetAsync("/admin");
    }

    /// <summary>The host under test, before it starts: test sign-in (the <c>test-user</c> cookie) unless a fixture says otherwise.</summary>
    protected virtual ModularHost CreateHost() => ModularHost.OnSqlite();

    /// <summary>
    /// A new browser context and page, signed in through the <c>test-user</c> cookie as
    /// <paramref name="user"/> (a <see cref="TestSignIn.Describe"/> value), or anonymous when null, in a window of
    /// <paramref name="width"/> × <paramref name="height"/> CSS pixels, in the browser time zone <paramref name="timeZone"/>
    /// (an IANA name; the machine's when null), with the system set to a dark colour scheme when <paramref name="dark"/>.
    /// </summary>
    public async Task<AdminPage> OpenAsync(string? user, int width = 1280, int height = 720, string? timeZone = null, bool dark = false)
    {
        RequireChromium();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = timeZone,
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
        });
        context.SetDefaultTimeout(Timeout);
        if (user is not null)
        {
            await context.AddCookiesAsync(
            [
                new Microsoft.Playwright.Cookie { Name = TestSignIn.Cookie, Value = Uri.EscapeDataString(user), Url = BaseAddress.ToString() },
            ]);
        }

        return new AdminPage(context, await context.NewPageAsync(), BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        // Browser first, so its circuits are closed before the host stops.
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static void RequireChromium()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        var reason = $"The admin console browser tests need Chromium at {ChromiumPath}: apt-get install chromium";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true requires the browser tests to run. " + reason);
        }

        Assert.Skip(reason);
    }
}
