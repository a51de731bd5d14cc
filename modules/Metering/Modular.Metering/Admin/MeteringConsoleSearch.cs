using Modular.Kernel.Auditing;
using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;

namespace Modular.Metering.Admin;

/// <summary>
/// The command palette's meters: by key or name, from the meter list's own query (meters are a handful of platform-wide
/// definitions, which the meters page lists whole too). Like that page, it needs <see cref="MeteringPermissions.Read"/>.
/// Meters have no page of their own: a hit opens the list.
/// </summary>
internal sealed class MeteringConsoleSearch(ScopedSender sender, CallerScope caller) : IConsoleSearch
{
    public async Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken)
    {
        if (caller.User?.HasPermission(MeteringPermissions.Read) != true)
        {
            return [];
        }

        var meters = await sender.Send(new ListMeters(), cancellationToken);
        return
        [
            .. meters
                .Where(m => m.Key.Contains(text, StringComparison.OrdinalIgnoreCase) || m.Name.Contains(text, StringComparison.OrdinalIgnoreCase))
                .Take(limit)
                .Select(m => new ConsoleSearchHit("Meters", m.Name, $"{m.Key} · {m.Aggregation} of {m.EventType}", MeteringRoutes.ConsoleMeters)),
        ];
    }
}
