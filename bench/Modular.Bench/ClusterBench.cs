using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Modular.Tenants.Contracts;
using Modular.Testing;

namespace Modular.Bench;

/// <summary>
/// What running several instances costs (docs/adr/0020, step 11), each figure beside a yardstick from the same run.
/// Two pairs of in-process hosts A and B (real Kestrel on loopback), each pair on its own throwaway PostgreSQL
/// database: one whose cluster bus is PostgreSQL NOTIFY, one configured with a Redis started here (bus, cache L2 and
/// the API rate limiter). All in this one process on the machine's cores: the point is the overhead of the backplane,
/// haproxy and Redis, not scale-up.
/// <list type="number">
/// <item>Invalidation A→B (measured after the reads, on warm instances): a tenant suspended through A (HTTP), B polled
/// every 2 ms until it answers 403, then reactivated through A and B polled until 200; N rounds, alternating the
/// NOTIFY and Redis pairs. Target: in force on every instance within 1 s. The tenant cache is kept an hour, so only
/// the invalidation can end B's copy.</item>
/// <item>Tenant-scoped reads (<c>GET /api/v1/tenant</c> as a member, test sign-in header) with wrk, 32 connections:
/// straight to A (yardstick), haproxy → A, haproxy → A and B, haproxy → A and B with Redis.</item>
/// <item>Client-credentials grants (<c>POST /connect/token</c>) with wrk through haproxy → A and → A and B.</item>
/// </list>
/// Rounds of wrk alternate the configurations (ABBA: reversed every other round), four rounds of 5 s per
/// configuration by default rather than two of 10 s: after the warm-up the hosts still speed up as tiered JIT promotes
/// their code, and short alternating rounds spread that drift over every configuration alike. Medians are reported.
/// CPU per request is that of this process (both pairs of hosts), its child servers (haproxy, redis-server) and
/// PostgreSQL, not wrk's.
/// Run: <c>dotnet Modular.Bench.dll cluster [seconds] [rounds] [suspensions]</c> from bin/Release/net10.0.
/// </summary>
internal static class ClusterBench
{
    private const int Connections = 32;
    private const string ClientId = "cluster-bench";
    private const string ClientSecret = "cluster-bench-secret-0123456789abcdef";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(int seconds, int rounds, int suspensions)
    {
        var started = Stopwatch.GetTimestamp();
        var work = Directory.CreateTempSubdirectory("modular-cluster-bench-").FullName;
        try
        {
            await using var postgres = new PostgresServer();
            await postgres.InitializeAsync();
            _postmaster = FindPostmaster(postgres.AdminConnectionString);
            await using var redis = await RedisServer.StartAsync();
            await using var notify = await Pair.StartAsync(postgres, redis: null);
            await using var shared = await Pair.StartAsync(postgres, redis);
            Console.WriteLine($"cluster: 2 pairs of hosts started in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s; load average {LoadAverage()}; " +
                (_postmaster is null ? "PostgreSQL's CPU not counted (its postmaster was not found)" : $"PostgreSQL's postmaster is {_postmaster}"));

            await using var balancerA = await HaproxyServer.StartAsync(ServerProcess.FreePort(), [("a", notify.PortA)]);
            await using var balancerAB = await HaproxyServer.StartAsync(ServerProcess.FreePort(), [("a", notify.PortA), ("b", notify.PortB)]);
            await using var balancerRedis = await HaproxyServer.StartAsync(ServerProcess.FreePort(), [("a", shared.PortA), ("b", shared.PortB)]);
            await ExpectServedByAsync(balancerA.Address, notify.MemberHeader, "a");
            await ExpectServedByAsync(balancerAB.Address, notify.MemberHeader, "a", "b");
            await ExpectServedByAsync(balancerRedis.Address, shared.MemberHeader, "a", "b");

            var read = Path.Combine(work, "read.lua");
            await File.WriteAllTextAsync(read, ReadScript(notify.MemberHeader));
            var readRedis = Path.Combine(work, "read-redis.lua");
            await File.WriteAllTextAsync(readRedis, ReadScript(shared.MemberHeader));
            var reads = await WrkRoundsAsync(seconds, rounds, (TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(60)),
            [
                ("2a GET tenant, straight to A", new Uri(notify.A.ClientOptions.BaseAddress, TenantsRoutes.CurrentTenant), read),
                ("2b GET tenant, haproxy → A", new Uri(balancerA.Address, TenantsRoutes.CurrentTenant), read),
                ("2c GET tenant, haproxy → A+B", new Uri(balancerAB.Address, TenantsRoutes.CurrentTenant), read),
                ("2d GET tenant, haproxy → A+B, Redis", new Uri(balancerRedis.Address, TenantsRoutes.CurrentTenant), readRedis),
            ]);
            Console.WriteLine($"  reads done at {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");

            // After the reads, so that the instances are warm (JIT tiers) as long-running ones are.
            var invalidation = await InvalidationAsync(notify, shared, suspensions);
            Console.WriteLine($"  invalidation: {suspensions} rounds per bus done at {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");

            await ExpectGrantAsync(balancerAB.Address);
            var grant = Path.Combine(work, "grant.lua");
            await File.WriteAllTextAsync(grant, GrantScript());
            var grants = await WrkRoundsAsync(seconds, rounds, (TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(12)),
            [
                ("3a POST token, haproxy → A", new Uri(balancerA.Address, "/connect/token"), grant),
                ("3b POST token, haproxy → A+B", new Uri(balancerAB.Address, "/connect/token"), grant),
            ]);

            Report(invalidation, reads, grants, seconds, rounds, suspensions, Stopwatch.GetElapsedTime(started));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Two hosts on one new database, a tenant, a member's header for it and clients for the rounds.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        public required ModularHost A { get; init; }
        public required ModularHost B { get; init; }
        public required HttpClient Operator { get; init; }
        public required HttpClient MemberOnB { get; init; }
        public required Guid TenantId { get; init; }
        public required string MemberHeader { get; init; }
        public int PortA => A.ClientOptions.BaseAddress.Port;
        public int PortB => B.ClientOptions.BaseAddress.Port;

        public static async Task<Pair> StartAsync(PostgresServer postgres, RedisServer? redis)
        {
            var a = await ModularHost.OnPostgresAsync(postgres, new Dictionary<string, string?>
            {
                // A fresh database logs its missing migration history as errors; appsettings.json names categories of its own.
                ["Logging:LogLevel:Default"] = "Critical",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Critical",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Critical",
                ["Logging:LogLevel:OpenIddict"] = "Critical",
                ["RateLimiting:PermitLimit"] = "1000000000",
                ["Tenancy:CacheDuration"] = "01:00:00", // only the invalidation can end B's copy within the bench
                ["Identity:Clients:0:ClientId"] = ClientId,
                ["Identity:Clients:0:ClientSecret"] = ClientSecret,
                ["Identity:Clients:0:GrantTypes:0"] = "client_credentials",
                ["Identity:Clients:0:Scopes:0"] = "api",
            });
            if (redis is not null)
            {
                a.WithRedis(redis);
            }

            a.UseKestrel(0); // real sockets on loopback, not the in-memory test server
            a.StartServer();
            var b = a.AnotherInstance(); // the same database and settings, Redis included
            b.UseKestrel(0);
            b.StartServer();

            var admin = a.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);
            var slug = redis is null ? "bench-notify" : "bench-redis";
            var tenant = (await (await admin.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = "Bench" })).EnsureSuccessStatusCode()
                .Content.ReadFromJsonAsync<TenantDto>())!;
            var member = b.CreateMemberClient("member", tenant.Id.ToString());
            (await member.GetAsync(TenantsRoutes.CurrentTenant)).EnsureSuccessStatusCode(); // B's cache is warm
            return new Pair
            {
                A = a,
                B = b,
                Operator = admin,
                MemberOnB = member,
                TenantId = tenant.Id,
                MemberHeader = TestSignIn.Describe("member", [], tenant.Id.ToString()),
            };
        }

        public async ValueTask DisposeAsync()
        {
            Operator.Dispose();
            MemberOnB.Dispose();
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>One bus's rounds, in milliseconds: each suspension's and reactivation's times and the GC pauses during it.</summary>
    private sealed class Invalidation
    {
        public List<double> Suspended { get; } = [];
        public List<double> SuspendAnswered { get; } = [];
        public List<double> SuspendedAfterAnswer { get; } = [];
        public List<double> SuspensionGcPause { get; } = [];
        public List<double> Reactivated { get; } = [];
        public int SeenAtFirstPoll { get; set; }
    }

    /// <summary>Suspend and reactivate through A, poll B; rounds alternate the two pairs (the NOTIFY pair first on even rounds).</summary>
    private static async Task<(Invalidation Notify, Invalidation Redis, List<double> PollMs)> InvalidationAsync(Pair notify, Pair redis, int suspensions)
    {
        var results = new Dictionary<Pair, Invalidation> { [notify] = new(), [redis] = new() };
        var polls = new List<double>();
        for (var round = 0; round < suspensions; round++)
        {
            foreach (var pair in round % 2 == 0 ? new[] { notify, redis } : [redis, notify])
            {
                var result = results[pair];
                var paused = GC.GetTotalPauseDuration(); // the hosts' collections: they run in this process
                var sent = Stopwatch.GetTimestamp();
                using (var suspended = await pair.Operator.PostAsJsonAsync(TenantsRoutes.Suspend(pair.TenantId), new { reason = "bench" }))
                {
                    suspended.EnsureSuccessStatusCode();
                }

                var answered = Stopwatch.GetTimestamp();
                var (inForce, first) = await PollAsync(pair.MemberOnB, HttpStatusCode.Forbidden, polls);
                result.Suspended.Add(Milliseconds(sent, inForce));
                result.SuspendAnswered.Add(Milliseconds(sent, answered));
                result.SuspendedAfterAnswer.Add(Milliseconds(answered, inForce));
                result.SuspensionGcPause.Add((GC.GetTotalPauseDuration() - paused).TotalMilliseconds);
                result.SeenAtFirstPoll += first ? 1 : 0;

                sent = Stopwatch.GetTimestamp();
                using (var reactivated = await pair.Operator.PostAsync(TenantsRoutes.Reactivate(pair.TenantId), null))
                {
                    reactivated.EnsureSuccessStatusCode();
                }

                (inForce, _) = await PollAsync(pair.MemberOnB, HttpStatusCode.OK, polls);
                result.Reactivated.Add(Milliseconds(sent, inForce));
            }
        }

        return (results[notify], results[redis], polls);
    }

    /// <summary>
    /// GETs the current tenant on B every <see cref="PollInterval"/> until it answers <paramref name="expected"/>: the
    /// timestamp that answer arrived, and whether it was the first poll's.
    /// </summary>
    private static async Task<(long At, bool First)> PollAsync(HttpClient member, HttpStatusCode expected, List<double> polls)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
        for (var attempt = 0; ; attempt++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await member.GetAsync(TenantsRoutes.CurrentTenant);
            var received = Stopwatch.GetTimestamp();
            polls.Add(Milliseconds(sent, received));
            if (response.StatusCode == expected)
            {
                return (received, attempt == 0);
            }

            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Forbidden) || received > deadline)
            {
                throw new InvalidOperationException($"B answered {(int)response.StatusCode}, waiting for {(int)expected}");
            }

            var wait = PollInterval - Stopwatch.GetElapsedTime(sent);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
    }

    private sealed record Wrk(double Rps, double P50Ms, double P95Ms, long Requests, long Non2xx, long SocketErrors, double CpuUsPerRequest);

    /// <summary>
    /// Warms up (<see cref="WarmUpAsync"/>), then runs <paramref name="rounds"/> rounds of all targets, reversed every
    /// other round (ABBA: a steady drift of the machine falls on every target alike); each target's median round
    /// (req/s, p95 and CPU each taken as their own median).
    /// </summary>
    private static async Task<List<(string Label, Wrk Median, List<Wrk> Rounds)>> WrkRoundsAsync(
        int seconds, int rounds, (TimeSpan Minimum, TimeSpan Limit) warmUp, (string Label, Uri Url, string Script)[] targets)
    {
        await WarmUpAsync(targets, warmUp.Minimum, warmUp.Limit);
        var results = targets.Select(_ => new List<Wrk>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            var order = Enumerable.Range(0, targets.Length);
            foreach (var i in round % 2 == 0 ? order : order.Reverse())
            {
                results[i].Add(await WrkAsync(targets[i].Url, targets[i].Script, seconds));
                var last = results[i][^1];
                Console.WriteLine($"    {targets[i].Label,-36} round {round + 1}: {last.Rps,9:N0} req/s  p95 {last.P95Ms,6:0.00} ms  CPU {last.CpuUsPerRequest,6:0} µs/request");
            }
        }

        return [.. targets.Select((t, i) => (t.Label, new Wrk(
            Median(results[i].Select(r => r.Rps)), Median(results[i].Select(r => r.P50Ms)), Median(results[i].Select(r => r.P95Ms)),
            results[i].Sum(r => r.Requests), results[i].Sum(r => r.Non2xx), results[i].Sum(r => r.SocketErrors),
            Median(results[i].Select(r => r.CpuUsPerRequest))), results[i]))];
    }

    /// <summary>
    /// Passes of 3 s over every target for at least <paramref name="minimum"/>, then until the CPU per request settles
    /// (within 5 % of the pass before) or <paramref name="limit"/> has passed. Tiered JIT keeps promoting the four
    /// hosts' code for over a minute under load on two cores (the reads' CPU per request falls from ~6 ms to ~1.2-1.5
    /// ms, flat after 75 s in one run, still falling after 100 s in another); waiting for all of it would not fit a
    /// short run, so the rounds alternate to spread the rest.
    /// </summary>
    private static async Task WarmUpAsync((string Label, Uri Url, string Script)[] targets, TimeSpan minimum, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        var previous = double.MaxValue;
        for (var pass = 1; ; pass++)
        {
            var cpu = 0.0;
            foreach (var (_, url, script) in targets)
            {
                cpu += (await WrkAsync(url, script, 3)).CpuUsPerRequest;
            }

            cpu /= targets.Length;
            var elapsed = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"    warm-up pass {pass}: {cpu:0} µs CPU/request on average, {elapsed.TotalSeconds:0} s");
            if ((elapsed >= minimum && cpu > previous * 0.95) || elapsed >= limit)
            {
                return;
            }

            previous = cpu;
        }
    }

    private static async Task<Wrk> WrkAsync(Uri url, string script, int seconds)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-t2", $"-c{Connections}", $"-d{seconds}s", "-s", script, url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var cpuBefore = ServerCpu();
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk could not be started: apt-get install wrk");
        var output = wrk.StandardOutput.ReadToEndAsync();
        var error = wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var cpu = ServerCpu() - cpuBefore;
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no RESULT line (exit {wrk.ExitCode}): {await output}{await error}");
        var f = line.Split(' ');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return new Wrk(D(1), D(2), D(3), L(4), L(5), L(6), cpu.TotalMicroseconds / Math.Max(1, L(4)));
    }

    private const string ResultFunction = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n", summary.requests / (summary.duration / 1e6),
            latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
        end
        """;

    private static string ReadScript(string member) => $"""
        wrk.method = "GET"
        wrk.headers["{TestSignIn.Header}"] = "{member}"
        {ResultFunction}
        """;

    private static string GrantScript() => $"""
        wrk.method = "POST"
        wrk.body = "grant_type=client_credentials&scope=api"
        wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
        wrk.headers["Authorization"] = "Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"))}"
        {ResultFunction}
        """;

    /// <summary>Member reads through a balancer answer 200, served by exactly the instances named.</summary>
    private static async Task ExpectServedByAsync(Uri balancer, string member, params string[] instances)
    {
        using var client = new HttpClient { BaseAddress = balancer };
        client.DefaultRequestHeaders.Add(TestSignIn.Header, member);
        var served = new HashSet<string>();
        for (var i = 0; i < 4 * instances.Length; i++)
        {
            using var response = await client.GetAsync(TenantsRoutes.CurrentTenant);
            response.EnsureSuccessStatusCode();
            served.Add(response.Headers.GetValues(HaproxyServer.ServedBy).Single());
        }

        if (!served.SetEquals(instances))
        {
            throw new InvalidOperationException($"{balancer} was served by {string.Join(", ", served)}, expected {string.Join(", ", instances)}");
        }
    }

    private static async Task ExpectGrantAsync(Uri balancer)
    {
        using var client = new HttpClient { BaseAddress = balancer };
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["scope"] = "api",
        });
        using var response = await client.PostAsync(new Uri("/connect/token", UriKind.Relative), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the token endpoint answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The bench's PostgreSQL server (its postmaster, found by port), whose backends' CPU counts as the servers'.</summary>
    private static int? _postmaster;

    private static int? FindPostmaster(string? connectionString)
    {
        var port = connectionString?.Split(';').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0].Trim() == "Port")?[1].Trim();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                if (port is not null && Path.GetFileName(arguments[0]) == "postgres" &&
                    arguments.Zip(arguments.Skip(1)).Any(a => a.First == "-p" && a.Second == port))
                {
                    return int.Parse(Path.GetFileName(directory), CultureInfo.InvariantCulture);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // not a process, or it ended while being read
            }
        }

        return null;
    }

    /// <summary>
    /// User + system CPU, from /proc, of this process and every process under it (haproxy, redis-server) and of the
    /// bench's PostgreSQL postmaster and its backends (pg_ctl detaches them from this process).
    /// </summary>
    private static TimeSpan ServerCpu()
    {
        var processes = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": state, ppid, ..., utime (12th), stime (13th)
                processes[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process ended while being read
            }
        }

        var ticks = 0L;
        var pending = new Queue<int>(_postmaster is { } postmaster ? [Environment.ProcessId, postmaster] : [Environment.ProcessId]);
        while (pending.TryDequeue(out var pid))
        {
            ticks += processes.TryGetValue(pid, out var process) ? process.Ticks : 0;
            foreach (var (child, _) in processes.Where(p => p.Value.Parent == pid))
            {
                pending.Enqueue(child);
            }
        }

        return TimeSpan.FromMilliseconds(ticks * 10.0); // USER_HZ: 100 on Linux
    }

    private static void Report(
        (Invalidation Notify, Invalidation Redis, List<double> PollMs) invalidation,
        List<(string Label, Wrk Median, List<Wrk> Rounds)> reads,
        List<(string Label, Wrk Median, List<Wrk> Rounds)> grants,
        int seconds, int rounds, int suspensions, TimeSpan took)
    {
        Console.WriteLine();
        Console.WriteLine($"== cluster bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()}, took {took.TotalMinutes:0.0} min");
        Console.WriteLine($"1. invalidation A→B, {suspensions} suspensions and reactivations per bus: ms from the request sent to A until B's answer changed (B polled every {PollInterval.TotalMilliseconds:0} ms)");
        Console.WriteLine($"   {"",-42} {"p50",7} {"p95",7} {"p99",7} {"max",7} {"≤ 1 s",8} {"p99/1 s",8} {"p99/A's answer",15}");
        void Latency(string label, List<double> values, List<double>? yardstick)
        {
            var ratio = yardstick is null ? "" : (Percentile(values, 99) / Percentile(yardstick, 99)).ToString("0.00", CultureInfo.InvariantCulture);
            Console.WriteLine($"   {label,-42} {Percentile(values, 50),7:0.0} {Percentile(values, 95),7:0.0} {Percentile(values, 99),7:0.0} {values.Max(),7:0.0} " +
                $"{$"{values.Count(v => v <= Target.TotalMilliseconds)}/{values.Count}",8} {Percentile(values, 99) / Target.TotalMilliseconds,8:0.000} {ratio,15}");
        }

        foreach (var (bus, result) in new[] { ("NOTIFY", invalidation.Notify), ("Redis", invalidation.Redis) })
        {
            Latency($"A answers the suspend (yardstick), {bus}", result.SuspendAnswered, null);
            Latency($"suspension in force on B, {bus}", result.Suspended, result.SuspendAnswered);
            Latency($"reactivation in force on B, {bus}", result.Reactivated, null);
        }

        Latency("one poll of B (the resolution)", invalidation.PollMs, null);
        foreach (var (bus, result) in new[] { ("NOTIFY", invalidation.Notify), ("Redis", invalidation.Redis) })
        {
            var slowest = result.Suspended.Index().OrderByDescending(s => s.Item).Take(3)
                .Select(s => $"{s.Item:0}/{result.SuspendAnswered[s.Index]:0}/{result.SuspensionGcPause[s.Index]:0}");
            Console.WriteLine($"   {bus}: B already refused at its first poll after A's answer {result.SeenAtFirstPoll}/{suspensions} times " +
                $"(after A's answer p50 {Percentile(result.SuspendedAfterAnswer, 50):0.0}, p99 {Percentile(result.SuspendedAfterAnswer, 99):0.0} ms); " +
                $"slowest, in force/A's answer/GC pause ms: {string.Join(", ", slowest)}");
        }

        Console.WriteLine($"2./3. wrk, {Connections} connections, {rounds} rounds of {seconds} s alternating (ABBA), medians; " +
            "CPU per request = this process (4 hosts) + haproxy + redis-server + PostgreSQL, not wrk");
        Console.WriteLine($"   {"",-36} {"req/s",7} {"p50 ms",7} {"p95 ms",7} {"CPU µs",7} {"errors",7} {"vs",3} {"req/s ratio",11} {"(rounds)",13} {"CPU ratio",9}");
        void Row((string Label, Wrk Median, List<Wrk> Rounds) row, (string Label, Wrk Median, List<Wrk> Rounds) yardstick)
        {
            var m = row.Median;
            var perRound = row.Rounds.Zip(yardstick.Rounds, (r, y) => r.Rps / y.Rps).ToList();
            Console.WriteLine($"   {row.Label,-36} {m.Rps,7:N0} {m.P50Ms,7:0.00} {m.P95Ms,7:0.00} {m.CpuUsPerRequest,7:0} {m.Non2xx + m.SocketErrors,7} " +
                $"{yardstick.Label[..2],3} {m.Rps / yardstick.Median.Rps,11:0.000} {$"{perRound.Min():0.00}–{perRound.Max():0.00}",13} {m.CpuUsPerRequest / yardstick.Median.CpuUsPerRequest,9:0.000}");
        }

        foreach (var read in reads)
        {
            Row(read, reads[0]);
        }

        Row(reads[3], reads[2]); // Redis's cost: (d) against (c)
        foreach (var grant in grants)
        {
            Row(grant, grants[0]);
        }
    }

    private static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    /// <summary>Nearest rank.</summary>
    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
