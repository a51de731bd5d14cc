using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace Modular.Identity.Connect;

/// <summary>
/// Client secrets are stored as deliberately slow password hashes (PBKDF2), which makes checking one the
/// largest CPU cost of a client-credentials grant. A machine client presents the same secret at every grant,
/// so a secret that matched a stored hash is remembered for a few minutes: keyed by that hash (a rotated
/// secret has a new one, so rotation forgets at once) and a SHA-256 of the presented secret. Failed checks
/// are never remembered: guessing still pays the full price every time.
/// </summary>
internal sealed class VerifiedSecrets : IDisposable
{
    private static readonly MemoryCacheEntryOptions Entry = new() { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) };

    private readonly MemoryCache _verified = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public bool Contains(string secret, string storedHash) => _verified.TryGetValue(Key(secret, storedHash), out _);

    public void Add(string secret, string storedHash) => _verified.Set(Key(secret, storedHash), true, Entry);

    public void Dispose() => _verified.Dispose();

    private static string Key(string secret, string storedHash) =>
        storedHash + ":" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

/// <summary>OpenIddict's application manager, consulting <see cref="VerifiedSecrets"/> before the slow hash.</summary>
internal sealed class SecretCachingApplicationManager<TApplication>(
    IOpenIddictApplicationCache<TApplication> cache,
    ILogger<OpenIddictApplicationManager<TApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<TApplication> store,
    VerifiedSecrets verified)
    : OpenIddictApplicationManager<TApplication>(cache, logger, options, store)
    where TApplication : class
{
    protected override async ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default)
    {
        if (verified.Contains(secret, comparand))
        {
            return true;
        }

        var valid = await base.ValidateClientSecretAsync(secret, comparand, cancellationToken);
        if (valid)
        {
            verified.Add(secret, comparand);
        }

        return valid;
    }
}
