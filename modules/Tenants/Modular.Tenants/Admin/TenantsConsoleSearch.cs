using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;
using Modular.Tenants.Contracts;

namespace Modular.Tenants.Admin;

/// <summary>The command palette's tenants: by slug or name, through the tenant list's own query, newest first.</summary>
internal sealed class TenantsConsoleSearch(ScopedSender sender) : IConsoleSearch
{
    public async Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken)
    {
        var tenants = await sender.Send(new ListTenants(PageSize: limit, Search: text), cancellationToken);
        return [.. tenants.Items.Select(t => new ConsoleSearchHit("Tenants", t.Name, $"{t.Slug} · {t.Status}", TenantsRoutes.ConsoleTenant(t.Id)))];
    }
}
