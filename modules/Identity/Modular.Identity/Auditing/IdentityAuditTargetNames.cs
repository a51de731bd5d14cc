using Microsoft.EntityFrameworkCore;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;

namespace Modular.Identity.Auditing;

/// <summary>Names the identity module's audit targets: people (user:), invitations, single sign-on connections and API keys.</summary>
internal sealed class IdentityAuditTargetNames(IdentityDbContext db) : IAuditTargetNames
{
    public async Task<IReadOnlyDictionary<string, string>> NameAsync(IReadOnlyCollection<string> targets, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var users = Ids(targets, "user:");
        foreach (var user in await db.Users.AsNoTracking().Where(u => users.Contains(u.Id)).Select(u => new { u.Id, u.Email, u.UserName }).ToListAsync(cancellationToken))
        {
            names[$"user:{user.Id}"] = user.Email ?? user.UserName ?? user.Id.ToString();
        }

        var invitations = Ids(targets, "invitation:");
        foreach (var invitation in await db.Invitations.AsNoTracking().Where(i => invitations.Contains(i.Id)).Select(i => new { i.Id, i.Email }).ToListAsync(cancellationToken))
        {
            names[$"invitation:{invitation.Id}"] = $"invitation of {invitation.Email}";
        }

        var connections = Ids(targets, "sso:");
        foreach (var connection in await db.SsoConnections.AsNoTracking().Where(c => connections.Contains(c.Id)).Select(c => new { c.Id, c.Name }).ToListAsync(cancellationToken))
        {
            names[$"sso:{connection.Id}"] = $"single sign-on “{connection.Name}”";
        }

        var keys = targets.Where(t => t.StartsWith("api-key:", StringComparison.Ordinal)).Select(t => t["api-key:".Length..]).ToList();
        foreach (var key in await db.TenantApiKeys.AsNoTracking().Where(k => keys.Contains(k.ClientId)).Select(k => new { k.ClientId, k.Name }).ToListAsync(cancellationToken))
        {
            names[$"api-key:{key.ClientId}"] = $"API key “{key.Name}”";
        }

        return names;
    }

    private static List<Guid> Ids(IEnumerable<string> targets, string prefix) =>
        [.. targets.Where(t => t.StartsWith(prefix, StringComparison.Ordinal)).Select(t => Guid.TryParse(t[prefix.Length..], out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty)];
}
