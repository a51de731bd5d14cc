using System.Diagnostics;

namespace Modular.Testing;

/// <summary>
/// A real load balancer (Debian's <c>haproxy</c>) on a free loopback port in front of host instances, configured as the
/// README asks of production: round robin for the API; the console (<c>/admin</c>, <c>/_blazor</c>: Blazor Server
/// circuits live in one process) sticky by a cookie; an instance in rotation only while <c>/health/ready</c> answers
/// 200 (checked every 500 ms, each check allowed 2 s, out after 3 failures: a busy instance on shared cores is slow, not
/// gone); a request whose connection could not be made is sent to the other
/// instance. Each answer says which instance served it (<see cref="ServedBy"/>). Without haproxy the test is skipped,
/// and fails under <c>CI=true</c>.
/// </summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    /// <summary>The response header naming the instance that answered.</summary>
    public const string ServedBy = "X-Served-By";

    /// <summary>The cookie that keeps a console session on its instance.</summary>
    public const string StickyCookie = "modular_instance";

    private readonly string _directory;
    private readonly Process _process;

    private HaproxyServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Address { get; }

    /// <param name="port">The balancer's own port (chosen first: the hosts' issuer URL names it).</param>
    /// <param name="instances">Each instance's name (what <see cref="ServedBy"/> says) and loopback port.</param>
    public static async Task<HaproxyServer> StartAsync(int port, IReadOnlyList<(string Name, int Port)> instances)
    {
        var program = ServerProcess.Find("/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy");
        if (program is null)
        {
            ServerProcess.Unavailable("the load-balancer tests", "haproxy was not found: install it (apt-get install haproxy).");
        }

        var directory = Directory.CreateTempSubdirectory("modular-haproxy-").FullName;
        var configuration = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(configuration, Configuration(port, instances));
        var process = await ServerProcess.StartAsync(program!, $"-db -f {configuration}", asUser: null, port, Path.Combine(directory, "haproxy.log"));
        return new HaproxyServer(process, directory, port);
    }

    private static string Configuration(int port, IReadOnlyList<(string Name, int Port)> instances)
    {
        string Servers(bool sticky) => string.Join("\n", instances.Select(i =>
            $"  server {i.Name} 127.0.0.1:{i.Port} check inter 500ms fall 3 rise 2{(sticky ? $" cookie {i.Name}" : "")}"));
        return $$"""
            global
              maxconn 2000
            defaults
              mode http
              timeout connect 2s
              timeout client 120s
              timeout server 120s
              option redispatch
              retries 3
              retry-on conn-failure
              timeout check 2s
            frontend web
              bind 127.0.0.1:{{port}}
              use_backend console if { path_beg /admin /_blazor }
              default_backend api
            backend api
              balance roundrobin
              option httpchk GET /health/ready
              http-response set-header {{ServedBy}} %[srv_name]
            {{Servers(sticky: false)}}
            backend console
              balance roundrobin
              cookie {{StickyCookie}} insert indirect nocache httponly
              option httpchk GET /health/ready
              http-response set-header {{ServedBy}} %[srv_name]
            {{Servers(sticky: true)}}

            """;
    }

    public async ValueTask DisposeAsync()
    {
        await ServerProcess.StopAsync(_process);
        Directory.Delete(_directory, recursive: true);
    }
}
