using Modular.Features.Contracts;
using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;

namespace Modular.Features.Admin;

/// <summary>The command palette's flags: by key, description or owner, through the flag list's own query.</summary>
internal sealed class FeaturesConsoleSearch(ScopedSender sender) : IConsoleSearch
{
    public async Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken)
    {
        var flags = await sender.Send(new ListFlags(Search: text), cancellationToken);
        return [.. flags.Take(limit).Select(f => new ConsoleSearchHit("Feature flags", f.Key, Detail(f), FeaturesRoutes.ConsoleFlag(f.Key)))];
    }

    private static string? Detail(FlagDto flag) => string.IsNullOrWhiteSpace(flag.Description) ? null : flag.Description;
}
