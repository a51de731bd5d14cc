using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Persistence;
using Npgsql;

namespace Modular.Kernel.Cluster;

/// <summary>
/// The cluster bus on PostgreSQL: <c>pg_notify</c> on one channel to publish (any connection, PgBouncer's included), and
/// one <c>LISTEN</c>ing session per instance on the direct connection (<see cref="DatabaseOptions.DirectConnectionString"/>).
/// After every (re)connection the listeners are told that messages may have been missed.
/// </summary>
internal sealed partial class PostgresClusterBus(IOptions<DatabaseOptions> database, ClusterMessages messages, ILogger<PostgresClusterBus> logger)
    : BackgroundService, IClusterBus
{
    public const string Channel = "modular_cluster";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A message the database cannot take is lost, not thrown (the change it announces is already committed): the other
    /// instances' caches expire meanwhile, and an instance whose listening session was cut drops everything.
    /// </summary>
    public async Task PublishAsync(string topic, string message, CancellationToken cancellationToken)
    {
        try
        {
            await NotifyAsync(messages.Wrap(topic, message), cancellationToken);
        }
        catch (NpgsqlException e)
        {
            LogPublishFailed(logger, topic, e);
        }
    }

    private async Task NotifyAsync(string payload, CancellationToken cancellationToken)
    {
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

        await messages.MaybeMissedAsync(stoppingToken);
        while (true)
        {
            await connection.WaitAsync(stoppingToken); // notifications are raised on this thread, inside the wait
            while (received.TryDequeue(out var payload))
            {
                await messages.DeliverAsync(payload, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message on cluster topic {Topic} was not sent")]
    private static partial void LogPublishFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening to the other instances failed; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
