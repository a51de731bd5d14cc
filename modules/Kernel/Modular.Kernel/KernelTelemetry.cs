using System.Diagnostics;

namespace Modular.Kernel;

/// <summary>The kernel's trace source; the host subscribes to "Modular.*".</summary>
public static class KernelTelemetry
{
    public const string SourceName = "Modular.Kernel";

    internal static readonly ActivitySource Source = new(SourceName);
}
