using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Domain;
using Modular.Identity.Persistence;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Clients;

/// <summary>
/// Records when a tenant's API key last got a token, to the minute: a busy integration asks for many, and writing on
/// every grant would cost the token endpoint a write each time. This instance writes at most once a minute per key, and
/// the update itself skips a row another instance stamped within the minute.
/// </summary>
internal sealed class ApiKeyUsage(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _recorded = new(StringComparer.Ordinal);

    public async Task RecordAsync(string clientId, Guid tenantId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!clientId.StartsWith(TenantApiKey.ClientIdPrefix, StringComparison.Ordinal)
            || (_recorded.TryGetValue(clientId, out var last) && now - last < Resolution))
        {
            return;
        }

        _recorded[clientId] = now;
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Enter(new TenantInfo(tenantId, Slug: "", Plan: "", IsSuspended: false));
        var since = now - Resolution;
        await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().TenantApiKeys
            .Where(k => k.ClientId == clientId && (k.LastUsedAt == null || k.LastUsedAt < since))
            .ExecuteUpdateAsync(k => k.SetProperty(key => key.LastUsedAt, now), cancellationToken);
    }
}
