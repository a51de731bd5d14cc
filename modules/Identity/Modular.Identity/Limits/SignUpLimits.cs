using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Kernel.Security;

namespace Modular.Identity.Limits;

/// <summary>
/// How many sign-ups one email address and one client address may start (<c>Identity:SignUp</c>), in fixed windows
/// (System.Threading.RateLimiting): every attempt spends one of the client's, every well-formed one one of the
/// address's. Each instance counts on its own, as <see cref="FailedSignIns"/> does.
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

    /// <summary>Spends a permit of the request's client address, and of <paramref name="normalizedEmail"/> when given; how long to wait when none is left.</summary>
    public TimeSpan? TryStart(HttpContext http, string? normalizedEmail)
    {
        foreach (var subject in Subjects(http, normalizedEmail))
        {
            using var lease = _attempts.AttemptAcquire(subject);
            if (!lease.IsAcquired)
            {
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            }
        }

        return null;
    }

    public void Dispose() => _attempts.Dispose();

    private static IEnumerable<(bool IsClient, string Key)> Subjects(HttpContext http, string? normalizedEmail)
    {
        yield return (true, ClientAddress.Of(http));
        if (normalizedEmail is { Length: > 0 })
        {
            yield return (false, normalizedEmail);
        }
    }
}
