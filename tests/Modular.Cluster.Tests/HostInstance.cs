using System.Diagnostics;
using System.Net;

namespace Modular.Cluster.Tests;

/// <summary>
/// One <c>Modular.Host</c> process, as production runs it (Production settings, its own port, the build output of this
/// test run), told to stop the way an orchestrator does: SIGTERM, or kill -9.
/// </summary>
internal sealed class HostInstance : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _log;
    private readonly Lock _logLock = new();
    private Process? _process;

    private HostInstance(string name, int port, IReadOnlyDictionary<string, string> environment, string log)
    {
        Name = name;
        Port = port;
        _environment = environment;
        _log = log;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public static async Task<HostInstance> StartAsync(string name, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        var instance = new HostInstance(name, ServerProcess.FreePort(), environment, Path.Combine(logDirectory, name + ".log"));
        await instance.StartAsync();
        return instance;
    }

    /// <summary>Starts the process (again) and returns once <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "Modular.Host.dll"))
        {
            WorkingDirectory = HostProjectDirectory(), // the content root: appsettings.json
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = Address.ToString();
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Instance {Name} exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                if ((await probe.GetAsync(new Uri(Address, "/health/ready"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or too busy starting to answer in time
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Instance {Name} was not ready within a minute:\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// SIGTERM, as an orchestrator stops a container; <paramref name="whileDraining"/> runs while it stops; returns when
    /// the process has exited (bounded).
    /// </summary>
    public async Task TerminateAsync(Func<Task>? whileDraining = null)
    {
        var process = _process ?? throw new InvalidOperationException($"Instance {Name} is not running.");
        await ServerProcess.RunAsync("kill", $"-TERM {process.Id}", asUser: null);
        if (whileDraining is not null)
        {
            await whileDraining();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"Instance {Name} exited with {process.ExitCode} on SIGTERM:\n{Log}");
        process.Dispose();
        _process = null;
    }

    /// <summary>kill -9: no drain, no cleanup; its database sessions end when PostgreSQL sees the sockets close.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException($"Instance {Name} is not running.");
        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return File.Exists(_log) ? File.ReadAllText(_log) : "";
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_logLock)
            {
                File.AppendAllText(_log, line + Environment.NewLine);
            }
        }
    }

    /// <summary>The host project's folder (its appsettings.json), above the test's build output.</summary>
    private static string HostProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "host", "Modular.Host");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("host/Modular.Host was not found above " + AppContext.BaseDirectory);
    }
}
