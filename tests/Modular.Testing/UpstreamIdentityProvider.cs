using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Xunit;

namespace Modular.Testing;

/// <summary>What the upstream does to the id_token of every token response until the mode is set back to <see cref="None"/>.</summary>
public enum UpstreamTamper
{
    None,

    /// <summary><c>iss</c> is another issuer.</summary>
    Issuer,

    /// <summary><c>aud</c> is another client.</summary>
    Audience,

    /// <summary><c>nonce</c> is not the one the client sent.</summary>
    Nonce,

    /// <summary><c>exp</c> is an hour in the past.</summary>
    Expired,
}

/// <summary>
/// A real, independent OpenID provider for the federation tests: panva's certified <c>oidc-provider</c>
/// (tests/fixtures/upstream-idp/server.mjs) run under node on a free loopback port. It installs its npm packages
/// itself when they are missing, so a clean clone needs no extra step. Use it as a class or assembly fixture.
/// Without node the calling test is skipped, and fails under <c>CI=true</c>.
/// <para>
/// Every tampered id_token is re-signed with the provider's own key and kid, so it fails for the one claim
/// that was changed (<see cref="SetTamperAsync"/>).
/// </para>
/// <para>
/// A browser signs in on the provider's devInteractions page (consent is granted automatically, so the login form
/// is the only page). The form posts to <c>/interaction/{uid}</c> and has:
/// <list type="bullet">
/// <item><c>input[name=login]</c>: any login; it becomes the account id, whose claims come from
/// <see cref="SetAccountAsync"/>. It is pre-filled with the <c>login_hint</c>, if one was sent.</item>
/// <item><c>input[name=password]</c>: required, any value.</item>
/// <item><c>button.login-submit</c> (text "Sign-in").</item>
/// <item>the link "[ Cancel ]" (<c>a[href$="/abort"]</c>, <c>/interaction/{uid}/abort</c>): the client gets
/// <c>error=access_denied</c>.</item>
/// </list>
/// </para>
/// </summary>
public sealed class UpstreamIdentityProvider : IAsyncLifetime
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int StderrKept = 16 * 1024;

    private readonly HttpClient _http = new();
    private readonly StringBuilder _stderr = new();
    private Process? _node;
    private ReadyLine? _ready;
    private string? _unavailableReason;

    /// <summary>
    /// The provider's issuer, <c>http://127.0.0.1:{port}</c>. Its <c>iss</c> has no trailing slash while this
    /// <see cref="Uri"/>'s string form has one: compare issuers as URIs.
    /// </summary>
    public Uri Issuer => Ready.Issuer;

    /// <summary>An "issuer" whose discovery document answers only after 60 seconds.</summary>
    public Uri SlowIssuer => Ready.Slow;

    /// <summary>An "issuer" whose discovery document is well-formed JSON of about 5 MiB, sent without a Content-Length.</summary>
    public Uri HugeIssuer => Ready.Huge;

    public async ValueTask InitializeAsync()
    {
        var node = FindOnPath("node");
        if (node is null)
        {
            _unavailableReason = "The upstream identity provider needs node on PATH (apt-get install nodejs npm).";
            return;
        }

        var fixture = Path.Combine(RepositoryRoot(), "tests", "fixtures", "upstream-idp");
        if (!await InstallAsync(fixture))
        {
            return;
        }

        await StartAsync(node, fixture);
    }

    /// <summary>
    /// Registers a confidential client over RFC 7591 (with the initial access token) for the code flow with PKCE,
    /// authenticating at the token endpoint with <c>client_secret_basic</c>.
    /// </summary>
    public Task<(string ClientId, string ClientSecret)> RegisterClientAsync(Uri redirectUri, CancellationToken ct = default) =>
        RegisterClientAsync(redirectUri, "client_secret_basic", ct);

    /// <summary>
    /// As <see cref="RegisterClientAsync(Uri, CancellationToken)"/>, with the token endpoint authentication method
    /// (<c>client_secret_basic</c> or <c>client_secret_post</c>): the provider accepts only the registered one.
    /// </summary>
    public async Task<(string ClientId, string ClientSecret)> RegisterClientAsync(Uri redirectUri, string tokenEndpointAuthMethod, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Issuer, "reg"))
        {
            Content = JsonContent.Create(new
            {
                redirect_uris = new[] { redirectUri.AbsoluteUri },
                token_endpoint_auth_method = tokenEndpointAuthMethod,
                grant_types = new[] { "authorization_code" },
                response_types = new[] { "code" },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Ready.InitialAccessToken);
        using var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The upstream refused the client registration ({(int)response.StatusCode}): {body}");
        }

        var client = JsonSerializer.Deserialize<JsonElement>(body);
        return (client.GetProperty("client_id").GetString()!, client.GetProperty("client_secret").GetString()!);
    }

    /// <summary>The claims <paramref name="login"/> gets from now on. A login never set gets <c>email = login</c>, unverified.</summary>
    public Task SetAccountAsync(string login, string email, bool emailVerified, string? name = null, IReadOnlyList<string>? groups = null) =>
        ControlAsync($"accounts/{Uri.EscapeDataString(login)}", new { email, email_verified = emailVerified, name, groups });

    /// <summary>Tampers with the id_token of every token response from now on (until <see cref="UpstreamTamper.None"/>).</summary>
    public Task SetTamperAsync(UpstreamTamper mode) =>
        ControlAsync("tamper", new { mode = mode.ToString().ToLowerInvariant() });

    /// <summary>When on, discovery names another issuer than <see cref="Issuer"/> (everything else in it stays true).</summary>
    public Task SetLyingDiscoveryAsync(bool lying) =>
        ControlAsync("lying-discovery", new { lying });

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_node is null)
        {
            return;
        }

        // Closing stdin is the server's signal to exit; kill it only if it does not.
        _node.StandardInput.Close();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _node.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill();
        }

        _node.Dispose();
    }

    private ReadyLine Ready
    {
        get
        {
            if (_ready is not null)
            {
                return _ready;
            }

            ServerProcess.Unavailable("the federation tests", _unavailableReason ?? "The upstream identity provider was not started.");
            return null!; // not reached: Unavailable fails or skips
        }
    }

    private async Task ControlAsync(string path, object body)
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await _http.PutAsJsonAsync(new Uri(Ready.Control, path), body, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The upstream's control endpoint {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>
    /// Runs <c>npm ci</c> when node_modules is missing or older than the lockfile, under a lock that two test
    /// assemblies starting together share. False (and the reason kept) when npm is needed but missing.
    /// </summary>
    private async Task<bool> InstallAsync(string fixture)
    {
        var lockPath = Path.Combine(Path.GetTempPath(), $"modular-upstream-idp-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fixture)))[..16]}.lock");
        using var deadline = new CancellationTokenSource(InstallTimeout);
        await using var held = await LockAsync(lockPath, deadline.Token);

        // npm writes node_modules/.package-lock.json last: its absence means no install, or one cut short.
        var installed = new FileInfo(Path.Combine(fixture, "node_modules", ".package-lock.json"));
        if (installed.Exists && installed.LastWriteTimeUtc >= File.GetLastWriteTimeUtc(Path.Combine(fixture, "package-lock.json")))
        {
            return true;
        }

        var npm = FindOnPath("npm");
        if (npm is null)
        {
            _unavailableReason = $"The upstream identity provider's packages are not installed and npm is not on PATH (apt-get install npm, or npm ci --prefix {fixture}).";
            return false;
        }

        var start = new ProcessStartInfo(npm, ["ci", "--prefix", fixture, "--no-audit", "--no-fund"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start npm.");
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"npm ci --prefix {fixture} did not finish within {InstallTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci --prefix {fixture} exited with {process.ExitCode}: {await error}{await output}");
        }

        return true;
    }

    private async Task StartAsync(string node, string fixture)
    {
        var start = new ProcessStartInfo(node, ["server.mjs"])
        {
            WorkingDirectory = fixture,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PORT"] = "0" },
        };
        _node = new Process { StartInfo = start };
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("The upstream identity provider closed its output before it was ready."));
            }
            else if (e.Data.StartsWith('{'))
            {
                ready.TrySetResult(e.Data);
            }
        };
        _node.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                if (e.Data is not null && _stderr.Length < StderrKept)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _node.Start();
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();

        try
        {
            var line = await ready.Task.WaitAsync(StartTimeout);
            _ready = JsonSerializer.Deserialize<ReadyLine>(line, JsonSerializerOptions.Web)
                ?? throw new InvalidOperationException($"The upstream identity provider's ready line is empty: {line}");
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or JsonException)
        {
            var exit = _node.HasExited ? $"it exited with {_node.ExitCode}" : "it is still running and is stopped now";
            if (!_node.HasExited)
            {
                _node.Kill();
            }

            await _node.WaitForExitAsync();
            string stderr;
            lock (_stderr)
            {
                stderr = _stderr.ToString();
            }

            throw new InvalidOperationException($"The upstream identity provider (node server.mjs in {fixture}) did not report ready; {exit}. {e.Message}\nstderr:\n{stderr}", e);
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken ct)
    {
        // FileShare.None is an exclusive lock between processes (flock on Unix), released when the stream closes.
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Modular.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Modular.sln above {AppContext.BaseDirectory}: the upstream identity provider's fixture is found from the repository root.");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    private sealed record ReadyLine(Uri Issuer, Uri Control, Uri Slow, Uri Huge, string InitialAccessToken);
}
