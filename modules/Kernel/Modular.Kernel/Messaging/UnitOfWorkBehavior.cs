using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Messaging;

/// <summary>
/// A command is the unit of work of the module that owns it (the module whose assembly, or whose <c>.Contracts</c>
/// assembly, declares the command): its handler changes that module's entities and adds integration events to its
/// <see cref="ModuleDbContext"/>, and this behaviour commits them when the handler returns — one transaction with
/// the module's audit entries and outbox rows. A handler that throws saves nothing, so no event is published for a
/// change that did not happen. A command never writes another module's data; one that leaves another module's
/// context changed fails loudly (that module's own command, sent through the mediator, is the way). Queries pass
/// through untouched.
/// </summary>
public sealed class UnitOfWorkBehavior<TMessage, TResponse>(IServiceProvider services)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IBaseCommand
{
    /// <summary>How deep in commands sent by commands this flow is; only the outermost checks the other modules.</summary>
    private static readonly AsyncLocal<int> Depth = new();

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var outermost = Depth.Value == 0;
        Depth.Value++;
        TResponse response;
        try
        {
            response = await next(message, cancellationToken);
        }
        finally
        {
            Depth.Value--;
        }

        var contexts = services.GetServices<ModuleDbContext>().ToList();
        var owner = contexts.SingleOrDefault(db => Owns(db, typeof(TMessage)));
        if (outermost && contexts.FirstOrDefault(db => db != owner && db.ChangeTracker.HasChanges()) is { } other)
        {
            // Before anything is saved: the command's own changes go too, as for any failed command.
            throw new InvalidOperationException(
                $"{typeof(TMessage).FullName} left changes in {other.GetType().Name}, which is not its module's: a command saves only its own " +
                "module's data; send the other module's command through the mediator instead.");
        }

        if (owner is not null && owner.ChangeTracker.HasChanges())
        {
            await owner.CommitAsync(cancellationToken);
        }

        return response;
    }

    private static bool Owns(ModuleDbContext db, Type message)
    {
        var module = db.GetType().Assembly.GetName().Name;
        var declaredIn = message.Assembly.GetName().Name;
        return declaredIn == module || declaredIn == module + ".Contracts";
    }
}
