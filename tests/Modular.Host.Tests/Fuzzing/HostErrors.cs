using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Modular.Host.Tests.Fuzzing;

/// <summary>The exceptions the host logs as errors (a 500's among them), so a failure report says what broke.</summary>
internal sealed class HostErrors : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public int Count => _entries.Count;

    /// <summary>The errors logged after the first <paramref name="skip"/>.</summary>
    public IEnumerable<string> Since(int skip) => _entries.Skip(skip);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        // EF Core and the mediator's logging log the same exception on its way out; the last word is enough.
        private readonly bool _repeats = category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
            || category == "Modular.Kernel.Messaging.LoggingBehavior";

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error && !_repeats;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var causes = exception is null ? "" : string.Join("\n", Chain(exception).Select(e => $"  {e.GetType().FullName}: {e.Message}"));
                var frames = exception?.StackTrace?.Split('\n').Take(4) ?? [];
                entries.Enqueue($"{category}: {formatter(state, exception)}\n{causes}\n{string.Join('\n', frames)}");
            }
        }

        private static IEnumerable<Exception> Chain(Exception exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                yield return e;
            }
        }
    }
}
