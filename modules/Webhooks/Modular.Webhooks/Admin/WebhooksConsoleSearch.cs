using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;
using Modular.Webhooks.Contracts;

namespace Modular.Webhooks.Admin;

/// <summary>The command palette's webhook endpoints, every tenant's: by URL or description, through the endpoint list's own query.</summary>
internal sealed class WebhooksConsoleSearch(ScopedSender sender) : IConsoleSearch
{
    public async Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken)
    {
        var endpoints = await sender.Send(new ListWebhookEndpoints(Search: text), cancellationToken);
        return [.. endpoints.Take(limit).Select(e => new ConsoleSearchHit("Webhook endpoints", e.Url, e.Description, WebhooksRoutes.ConsoleEndpoint(e.Id)))];
    }
}
