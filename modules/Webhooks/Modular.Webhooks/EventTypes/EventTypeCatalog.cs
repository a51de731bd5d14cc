using Modular.Webhooks.Contracts;

namespace Modular.Webhooks.EventTypes;

/// <summary>Every event type registered by the modules, by name.</summary>
public sealed class EventTypeCatalog(IEnumerable<WebhookEventType> registered)
{
    private readonly Dictionary<string, WebhookEventType> _types = registered
        .GroupBy(t => t.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public IReadOnlyList<WebhookEventType> All => [.. _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public bool Contains(string name) => _types.ContainsKey(name);
}
