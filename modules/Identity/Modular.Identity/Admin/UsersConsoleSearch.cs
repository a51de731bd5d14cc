using Modular.Identity.Contracts;
using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;

namespace Modular.Identity.Admin;

/// <summary>The command palette's user accounts: by email or name, through the user list's own query, newest first.</summary>
internal sealed class UsersConsoleSearch(ScopedSender sender) : IConsoleSearch
{
    public async Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken)
    {
        var users = await sender.Send(new ListUsers(PageSize: limit, Search: text), cancellationToken);
        return [.. users.Items.Select(u => new ConsoleSearchHit("Users", u.Email, u.DisplayName, IdentityRoutes.ConsoleUser(u.Id)))];
    }
}
