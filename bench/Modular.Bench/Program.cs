using BenchmarkDotNet.Running;

namespace Modular.Bench;

internal static class Benchmarks
{
    /// <summary>
    /// Every BenchmarkDotNet benchmark here (or those chosen with its <c>--filter</c>); or, with
    /// <c>jwt-baseline URL</c>, the bare server token-load.sh measures the token endpoint against.
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["jwt-baseline", var url])
        {
            JwtBaseline.Run(url);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Benchmarks).Assembly).Run(args);
    }
}
