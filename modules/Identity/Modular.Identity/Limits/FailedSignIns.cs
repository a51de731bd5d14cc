using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Modular.Kernel.Security;

namespace Modular.Identity.Limits;

/// <summary>The <c>RateLimiting:FailedSignIns</c> section: how many failed sign-ins are tolerated per window.</summary>
internal sealed class FailedSignInLimits
{
    public const string Section = "RateLimiting:FailedSignIns";

    /// <summary>Failures per client id (wrong client secrets) or per user name (wrong passwords).</summary>
    public int PermitLimit { get; set; } = 10;

    /// <summary>Failures per caller address, whatever names it tries: catches one address spraying many names.</summary>
    public int AddressPermitLimit { get; set; } = 50;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>What a failed sign-in tried to be: an OpenID client (by client id) or a user (by normalized user name).</summary>
internal enum SignInKind
{
    Client,
    User,
}

/// <summary>
/// Counts failed sign-ins per name and per address in fixed windows (System.Threading.RateLimiting), and says
/// when either has used up its failures: the next attempt is then refused before any secret or password is
/// checked, the right one included, until the window ends. Each instance counts on its own: behind several
/// hosts an attacker gets the limit once per instance.
/// </summary>
internal sealed class FailedSignIns(IOptions<FailedSignInLimits> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Subject> _failures = PartitionedRateLimiter.Create<Subject, Subject>(subject =>
        RateLimitPartition.GetFixedWindowLimiter(subject, s => new FixedWindowRateLimiterOptions
        {
            PermitLimit = s.IsAddress ? options.Value.AddressPermitLimit : options.Value.PermitLimit,
            Window = options.Value.Window,
            QueueLimit = 0,
        }));

    /// <summary>How long until <paramref name="name"/> may be tried again from this request's address; null when it may now.</summary>
    public TimeSpan? RetryAfter(SignInKind kind, string? name, HttpContext http)
    {
        foreach (var subject in Subjects(kind, name, http))
        {
            // Asking for no permit tells whether any is left, without spending one.
            using var probe = _failures.AttemptAcquire(subject, permitCount: 0);
            if (!probe.IsAcquired)
            {
                return probe.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Value.Window;
            }
        }

        return null;
    }

    public void Fail(SignInKind kind, string? name, HttpContext http)
    {
        foreach (var subject in Subjects(kind, name, http))
        {
            _failures.AttemptAcquire(subject).Dispose();
        }
    }

    public void Dispose() => _failures.Dispose();

    private static IEnumerable<Subject> Subjects(SignInKind kind, string? name, HttpContext http)
    {
        if (!string.IsNullOrEmpty(name))
        {
            yield return new Subject(kind, name, IsAddress: false);
        }

        yield return new Subject(kind, ClientAddress.Of(http), IsAddress: true);
    }

    private readonly record struct Subject(SignInKind Kind, string Value, bool IsAddress);
}
