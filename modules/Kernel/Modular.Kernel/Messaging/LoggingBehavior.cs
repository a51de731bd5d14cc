using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Kernel.Errors;

namespace Modular.Kernel.Messaging;

/// <summary>
/// Outermost behaviour: one trace span and one log line per message, so a request's path through the
/// modules can be followed in traces and logs. Expected failures log at Information, others at Error.
/// </summary>
public sealed partial class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var name = typeof(TMessage).Name;
        using var activity = KernelTelemetry.Source.StartActivity(name);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next(message, cancellationToken);
            LogHandled(logger, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (ProblemException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Type);
            LogRejected(logger, name, e.Type, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            LogFailed(logger, e, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Message} handled in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string message, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message} rejected ({ProblemType}) in {ElapsedMs:0.0} ms")]
    private static partial void LogRejected(ILogger logger, string message, string problemType, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message} failed in {ElapsedMs:0.0} ms")]
    private static partial void LogFailed(ILogger logger, Exception exception, string message, double elapsedMs);
}
