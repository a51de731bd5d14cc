using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Kernel.Security;

namespace Modular.Identity.Limits;

/// <summary>
/// How many sign-ups one email address and one client address may start (<c>Identity:SignUp</c>), in fixed windows
/// (System.Threading.RateLimiting): every attempt spends one of the client address's, every one that would make an
/// account and mail it one of the email address's. Each instance counts on its own, as <see cref="FailedSignIns"/> does.
/// </summary>
internal sealed class SignUpLimits(IOptions<AccountSettings> options) : IDisposable
{
    private readonly PartitionedRateLimiter<(bool IsClient, string Key)> _attempts = PartitionedRateLimiter.Create<(bool IsClient, string Key), (bool, string)>(subject =>
        RateLimitPartition.GetFixedWindowLimiter(subject, s => new FixedWindowRateLimiterOptions
        {
            PermitLimit = s.Item1 ? options.Value.SignUp.PerClientLimit : options.Value.SignUp.PerAddressLimit,
            Window = s.Item1 ? options.Value.SignUp.ClientWindow : options.Value.SignUp.AddressWindow,
            QueueLimit = 0,
        }));

    /// <summary>Spends a permit of the request's client address; how long to wait when none is left.</summary>
    public TimeSpan? AttemptFrom(HttpContext http) => Spend((true, ClientAddress.Of(http)));

    /// <summary>Spends a permit of an email address (normalized); how long to wait when none is left.</summary>
    public TimeSpan? AttemptFor(string normalizedEmail) => Spend((false, normalizedEmail));

    public void Dispose() => _attempts.Dispose();

    private TimeSpan? Spend((bool IsClient, string Key) subject)
    {
        using var lease = _attempts.AttemptAcquire(subject);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }
}
