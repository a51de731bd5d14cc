using Modular.Identity.Contracts;
using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;

namespace Modular.Identity.Admin;

/// <summary>
/// The command palette's OAuth clients: by client id or display name, from the client list's own query (the clients page
/// lists them all too).
/// </summary>
internal sealed class ClientsConsoleSearch(ScopedSender sender) : IConsoleSearch
{
    public async Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken)
    {
        var clients = await sender.Send(new ListClients(), cancellationToken);
        return
        [
            .. clients.Select(c => c.Client)
                .Where(c => c.ClientId.Contains(text, StringComparison.OrdinalIgnoreCase) || c.DisplayName?.Contains(text, StringComparison.OrdinalIgnoreCase) == true)
                .Take(limit)
                .Select(c => string.IsNullOrWhiteSpace(c.DisplayName)
                    ? new ConsoleSearchHit("Clients", c.ClientId, null, IdentityRoutes.ConsoleClient(c.ClientId))
                    : new ConsoleSearchHit("Clients", c.DisplayName, c.ClientId, IdentityRoutes.ConsoleClient(c.ClientId))),
        ];
    }
}
