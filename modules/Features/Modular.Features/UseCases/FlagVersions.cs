using Modular.Features.Domain;
using Modular.Kernel.Errors;

namespace Modular.Features.UseCases;

/// <summary>The optimistic check of the edits that name the version they read (update, kill switch).</summary>
internal static class FlagVersions
{
    public static void EnsureVersion(this FeatureFlag flag, int? expected)
    {
        if (expected is { } version && version != flag.Version)
        {
            throw new ConflictException($"Feature flag '{flag.Key}' is at version {flag.Version}, not {version}; read it again and retry.");
        }
    }
}
