using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;
using Npgsql;

namespace Modular.Kernel.Cluster;

/// <summary>
/// The cluster bus on PostgreSQL: <c>pg_notify</c> on one channel to publish (any connection, PgBouncer's included), and
/// one <c>LISTEN</c>ing session per instance on the direct connection (<see cref="DatabaseOptions.DirectConnectionString"/>).
/// A message names its sender, so an instance skips its own. After every (re)connection the listeners are told that
/// messages may have been missed.
/// </summary>
internal sealed partial class PostgresClusterBus(IOptions<DatabaseOptions> database, IServiceProvider services, ILogger<PostgresClusterBus> logger)
    : BackgroundService, IClusterBus
{
    public const string Channel = "modular_cluster";

    /// <summary>PostgreSQL refuses a payload of 8,000 bytes or more.</summary>
    public const int MaxPayloadBytes = 7_900;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private IReadOnlyList<IClusterListener>? _listeners;

    public async Task PublishAsync(string topic, string message, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(new Envelope(_instance, topic, message));
        if (System.Text.Encoding.UTF8.GetByteCount(payload) > MaxPayloadBytes)
        {
            throw new ArgumentException($"A cluster message must stay under {MaxPayloadBytes} bytes.", nameof(message));
        }

        await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres)
        {
            return; // SQLite: one instance, no one to listen to
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
            {
                LogListenFailed(logger, e);
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(database.Value.DirectSessionConnectionString());
        var received = new Queue<string>();
        connection.Notification += (_, e) => received.Enqueue(e.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        foreach (var listener in Listeners)
        {
            await listener.OnMaybeMissedAsync(stoppingToken);
        }

        while (true)
        {
            await connection.WaitAsync(stoppingToken); // notifications are raised on this thread, inside the wait
            while (received.TryDequeue(out var payload))
            {
                await DeliverAsync(payload, stoppingToken);
            }
        }
    }

    private async Task DeliverAsync(string payload, CancellationToken cancellationToken)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(payload);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is null || envelope.From == _instance)
        {
            return;
        }

        foreach (var listener in Listeners.Where(l => l.Topic == envelope.Topic))
        {
            try
            {
                await listener.OnMessageAsync(envelope.Message, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogListenerFailed(logger, envelope.Topic, e);
            }
        }
    }

    // Resolved late: listeners (the cluster cache) depend on the bus.
    private IReadOnlyList<IClusterListener> Listeners => _listeners ??= [.. services.GetServices<IClusterListener>()];

    private sealed record Envelope(string From, string Topic, string Message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening to the other instances failed; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of cluster topic {Topic} failed")]
    private static partial void LogListenerFailed(ILogger logger, string topic, Exception exception);
}
