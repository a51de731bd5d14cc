using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Outbox;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Messaging;

/// <summary>
/// A command is the unit of work: its handler changes entities and adds integration events to its
/// module's <see cref="ModuleDbContext"/>, and this behaviour saves them in one transaction when the
/// handler returns. A handler that throws saves nothing, so no event is published for a change that
/// did not happen. Queries pass through untouched.
/// </summary>
public sealed class UnitOfWorkBehavior<TMessage, TResponse>(IServiceProvider services, OutboxSignal outboxSignal)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);

        var published = false;
        foreach (var db in services.GetServices<ModuleDbContext>())
        {
            if (db.ChangeTracker.HasChanges())
            {
                published |= db.HasPendingIntegrationEvents;
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        if (published)
        {
            outboxSignal.Notify();
        }

        return response;
    }
}
