using BenchmarkDotNet.Running;

namespace Modular.Bench;

internal static class Benchmarks
{
    /// <summary>
    /// Every BenchmarkDotNet benchmark here (or those chosen with its <c>--filter</c>); or, with
    /// <c>jwt-baseline URL</c>, the bare server token-load.sh measures the token endpoint against; or,
    /// with <c>webhooks [sqlite|postgres] [count]</c>, webhook deliveries/s and latency.
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

        BenchmarkSwitcher.FromAssembly(typeof(Benchmarks).Assembly).Run(args);
    }
}
