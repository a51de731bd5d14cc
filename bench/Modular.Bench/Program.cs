using BenchmarkDotNet.Running;

namespace Modular.Bench;

internal static class Benchmarks
{
    /// <summary>Every benchmark here, or those chosen with BenchmarkDotNet's own <c>--filter</c>.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Benchmarks).Assembly).Run(args);
}
