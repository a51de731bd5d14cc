using Modular.Kernel.Components;
using Modular.Kernel.Messaging;
using Modular.Tenants.Contracts;

namespace Modular.Webhooks.Admin;

/// <summary>
/// The tenants an operator's webhook page names: those of its rows (asked once per page of rows, however many tenants
/// the platform has) and those its tenant filter finds.
/// </summary>
internal sealed class TenantNames(ScopedSender sender)
{
    private const int MaxSearchLength = 100; // as ListTenants accepts

    private readonly Dictionary<Guid, string> _names = [];

    public string Of(Guid id) => _names.GetValueOrDefault(id) ?? id.ToString();

    public string Of(string id) => Guid.TryParse(id, out var tenantId) ? Of(tenantId) : id;

    /// <summary>Names the tenants of <paramref name="ids"/> not named yet.</summary>
    public async Task LearnAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken = default)
    {
        var unknown = ids.Distinct().Where(id => !_names.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
        {
            foreach (var (id, name) in await sender.Send(new NameTenants(unknown), cancellationToken))
            {
                _names[id] = name;
            }
        }
    }

    /// <summary>The tenants whose slug or name contains <paramref name="text"/> (the first few for none), for a <see cref="LookupFilter"/>.</summary>
    public async Task<IEnumerable<string>> SearchAsync(string? text, CancellationToken cancellationToken)
    {
        var search = text?.Trim() is { Length: > 0 } typed ? typed[..Math.Min(typed.Length, MaxSearchLength)] : null;
        var found = await sender.Send(new ListTenants(PageSize: LookupFilter.MaxItems, Search: search), cancellationToken);
        foreach (var tenant in found.Items)
        {
            _names[tenant.Id] = tenant.Name;
        }

        return found.Items.Select(t => t.Id.ToString());
    }
}
