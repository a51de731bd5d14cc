using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Modular.Identity.Account;

/// <summary>
/// Account emails leave after the answer, not during it. The public forms answer alike whether an address has an
/// account or not, and they must take alike too: so a request hands the whole mail — finding the account, making
/// its token, recording and delivering the email — to this queue and answers at once. One worker drains it in
/// order, each mail in its own DI scope (the request's is gone by then). A mail that fails is logged, one that
/// cannot be queued (the queue is full) is logged, and those still queued when the host stops are counted in the log.
/// </summary>
internal sealed partial class AccountEmails(IServiceScopeFactory scopes, ILogger<AccountEmails> logger) : BackgroundService
{
    private const int Capacity = 10_000;

    private readonly Channel<(string Kind, Func<IServiceProvider, Task> SendAsync)> _queue =
        Channel.CreateBounded<(string, Func<IServiceProvider, Task>)>(new BoundedChannelOptions(Capacity) { SingleReader = true });

    /// <summary>Queues a mail; <paramref name="sendAsync"/> runs later in a scope of its own and must capture no request state.</summary>
    public void Enqueue(string kind, Func<IServiceProvider, Task> sendAsync)
    {
        if (!_queue.Writer.TryWrite((kind, sendAsync)))
        {
            LogDropped(logger, kind, Capacity);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: at shutdown the queue is completed and drained (within the host's shutdown timeout).
        await foreach (var (kind, sendAsync) in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await sendAsync(scope.ServiceProvider);
            }
            catch (Exception e)
            {
                LogFailed(logger, e, kind);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (_queue.Reader.Count is > 0 and var left)
        {
            LogAbandoned(logger, left);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An account email ({Kind}) could not be prepared or recorded")]
    private static partial void LogFailed(ILogger logger, Exception exception, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "An account email ({Kind}) was dropped: {Capacity} are already waiting to be sent")]
    private static partial void LogDropped(ILogger logger, string kind, int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} account emails were still queued when the host stopped; they were not sent")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
