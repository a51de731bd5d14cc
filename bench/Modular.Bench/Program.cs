using BenchmarkDotNet.Running;

namespace Modular.Bench;

internal static class Benchmarks
{
    /// <summary>
    /// Every BenchmarkDotNet benchmark here (or those chosen with its <c>--filter</c>); or, with
    /// <c>jwt-baseline URL</c>, the bare server token-load.sh measures the token endpoint against; or,
    /// with <c>webhooks [sqlite|postgres] [count]</c>, webhook deliveries/s and latency; or, with
    /// <c>metering [events] [clients] [query-events]</c>, usage ingestion and month queries on PostgreSQL; or, with
    /// <c>cluster [seconds] [rounds] [suspensions]</c>, what two instances cost (invalidation A→B, haproxy, Redis).
    /// </summary>
    public static async Task Main(string[] args)
    {
        if (args is ["jwt-baseline", var url])
        {
            JwtBaseline.Run(url);
            return;
        }

        if (args is ["webhooks", .. var rest])
        {
            await WebhookThroughput.RunAsync(rest is [var provider, ..] ? provider : "sqlite", rest is [_, var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 5_000);
            return;
        }

        if (args is ["account-timing", .. var rounds])
        {
            await AccountTiming.RunAsync(rounds is [var n] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 100);
            return;
        }

        if (args is ["metering", .. var options])
        {
            int Option(int index, int fallback) => options.Length > index ? int.Parse(options[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
            await MeteringLoad.RunAsync(Option(0, 200_000), Option(1, 4), Option(2, 10_000_000));
            return;
        }

        if (args is ["cluster", .. var settings])
        {
            int Setting(int index, int fallback) => settings.Length > index ? int.Parse(settings[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
            await ClusterBench.RunAsync(Setting(0, 5), Setting(1, 4), Setting(2, 100));
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Benchmarks).Assembly).Run(args);
    }
}
