using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Modular.Testing;

/// <summary>
/// What the tests' real servers (PostgreSQL, PgBouncer, Redis, haproxy) share: a free loopback port, an unprivileged
/// user when the tests run as root, running a program to its end or keeping one running, and the rule for a missing
/// program: skipped on a developer's machine, failed under <c>CI=true</c>, where every real-part test must run.
/// </summary>
public static class ServerProcess
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Servers refuse to run as root (PostgreSQL, PgBouncer): the distribution's postgres user, else nobody.</summary>
    public static string? RunAs { get; } = Environment.UserName == "root"
        ? File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody"
        : null;

    /// <summary>Skips the calling test, or fails it under <c>CI=true</c>.</summary>
    public static void Unavailable(string what, string reason)
    {
        if (IsCi)
        {
            Assert.Fail($"CI=true requires {what} to run: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>The first of <paramref name="candidates"/> that exists, or null.</summary>
    public static string? Find(params string[] candidates) => candidates.FirstOrDefault(File.Exists);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A directory the server's user may write (its configuration, log and pid files).</summary>
    public static async Task<string> CreateDirectoryAsync(string prefix)
    {
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        if (RunAs is not null)
        {
            await RunAsync("chown", $"-R {RunAs} {directory}", asUser: null);
        }

        return directory;
    }

    /// <summary>Runs <paramref name="program"/> to its end; throws with its output if it fails.</summary>
    public static async Task RunAsync(string program, string arguments, string? asUser)
    {
        using var process = Process.Start(StartInfo(program, arguments, asUser)) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

    /// <summary>Starts a server in the foreground and returns once it accepts connections on <paramref name="port"/>.</summary>
    public static async Task<Process> StartAsync(string program, string arguments, string? asUser, int port, string log)
    {
        var process = Process.Start(StartInfo(program, arguments, asUser)) ?? throw new InvalidOperationException($"Could not start {program}.");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {ReadLog(log)}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Ends a server started with <see cref="StartAsync"/> and its children.</summary>
    public static async Task StopAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string program, string arguments, string? asUser)
    {
        var start = asUser is null
            ? new ProcessStartInfo(program, arguments)
            : new ProcessStartInfo("runuser", $"-u {asUser} -- {program} {arguments}");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return start;
    }

    private static readonly Lock LogLock = new();

    private static void Append(string log, string? line)
    {
        if (line is not null)
        {
            lock (LogLock)
            {
                File.AppendAllText(log, line + Environment.NewLine);
            }
        }
    }

    private static string ReadLog(string log)
    {
        lock (LogLock)
        {
            return File.Exists(log) ? File.ReadAllText(log) : "";
        }
    }
}
