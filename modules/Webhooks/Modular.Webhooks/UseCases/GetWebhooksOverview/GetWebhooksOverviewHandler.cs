using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Domain;
using Modular.Webhooks.Persistence;

namespace Modular.Webhooks.UseCases.GetWebhooksOverview;

public sealed class GetWebhooksOverviewHandler(WebhooksDbContext db, TimeProvider clock) : IQueryHandler<Contracts.GetWebhooksOverview, WebhooksOverview>
{
    public async ValueTask<WebhooksOverview> Handle(Contracts.GetWebhooksOverview query, CancellationToken cancellationToken)
    {
        var dayAgo = clock.GetUtcNow().AddDays(-1);
        var endpoints = db.Endpoints.AsNoTracking();
        var deliveries = db.Deliveries.AsNoTracking();
        return new WebhooksOverview(
            await endpoints.CountAsync(cancellationToken),
            await endpoints.CountAsync(e => e.Enabled && e.FailingSince != null, cancellationToken),
            await endpoints.CountAsync(e => !e.Enabled, cancellationToken),
            await deliveries.CountAsync(d => d.Status == DeliveryStatus.Failed && d.CompletedAt >= dayAgo, cancellationToken),
            await deliveries.CountAsync(d => d.Status == DeliveryStatus.Pending, cancellationToken));
    }
}
