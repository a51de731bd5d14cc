using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Modular.Kernel.Cluster;

/// <summary>
/// Rate limits that every instance counts together when Redis is configured (RedisRateLimiting: one counter per key in
/// Redis), and each instance alone otherwise: N instances then allow N times the limit (docs/adr/0020). If Redis cannot
/// be reached a limit falls back to this instance's own count rather than refuse or fail every request.
/// </summary>
public sealed partial class ClusterLimits(IServiceProvider services, ILogger<ClusterLimits> logger)
{
    private readonly IConnectionMultiplexer? _redis = services.GetService<IConnectionMultiplexer>();
    private readonly ILogger _logger = logger;

    /// <summary>Whether limits are counted across instances.</summary>
    public bool IsClusterWide => _redis is not null;

    /// <summary><paramref name="permitLimit"/> permits per <paramref name="window"/> for <paramref name="key"/>, no queue.</summary>
    public RateLimitPartition<string> FixedWindow(string key, int permitLimit, TimeSpan window) =>
        RateLimitPartition.Get(key, RateLimiter (partition) =>
        {
            var local = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 });
            return _redis is not { } redis
                ? local
                : new FailingOpen(
                    new RedisFixedWindowRateLimiter<string>(RedisKey(partition), new RedisFixedWindowRateLimiterOptions
                    {
                        ConnectionMultiplexerFactory = () => redis,
                        PermitLimit = permitLimit,
                        Window = window,
                    }),
                    local,
                    _logger);
        });

    /// <summary><paramref name="perSecond"/> tokens a second for <paramref name="key"/>, as many in a burst; no queue.</summary>
    public RateLimiter TokenBucket(string key, int perSecond)
    {
        var local = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
        return _redis is not { } redis
            ? local
            : new FailingOpen(
                new RedisTokenBucketRateLimiter<string>(RedisKey(key), new RedisTokenBucketRateLimiterOptions
                {
                    ConnectionMultiplexerFactory = () => redis,
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                }),
                local,
                _logger);
    }

    private static string RedisKey(string key) => "modular:limit:" + key;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unreachable: rate limits count on this instance alone")]
    private static partial void LogFallback(ILogger logger, Exception exception);

    /// <summary>The cluster's limiter while Redis answers, this instance's own when it does not.</summary>
    private sealed class FailingOpen(RateLimiter cluster, RateLimiter local, ILogger logger) : RateLimiter
    {
        public override TimeSpan? IdleDuration => cluster.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => cluster.GetStatistics();

        // RedisRateLimiting never grants synchronously: callers (the rate-limiting middleware) then ask asynchronously.
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => cluster.AttemptAcquire(permitCount);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                return await cluster.AcquireAsync(permitCount, cancellationToken);
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                LogFallback(logger, e);
                return await local.AcquireAsync(permitCount, cancellationToken);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                cluster.Dispose();
                local.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
