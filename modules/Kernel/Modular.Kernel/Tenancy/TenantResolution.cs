using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;

namespace Modular.Kernel.Tenancy;

/// <summary>The <c>Tenancy</c> configuration section: which request parts may select a tenant.</summary>
public sealed class TenancyOptions
{
    public const string Section = "Tenancy";

    /// <summary>Let an <c>X-Tenant: {id or slug}</c> header select one of the caller's tenants.</summary>
    public bool HeaderSelection { get; set; } = true;

    /// <summary>
    /// Let the request host's first label select one of the caller's tenants, for hosts under
    /// <see cref="RootDomain"/> (acme.example.com → "acme"). Off unless a root domain is set.
    /// </summary>
    public string? RootDomain { get; set; }

    /// <summary>How long a tenant's state (e.g. suspended) may be served from cache.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Sets the request's <see cref="TenantScope"/> from the signed-in caller. The caller's tenants are
/// the <c>tenant</c> claims of its token (id or slug); the first is the default. A header or subdomain
/// may pick another only among those, unless the caller is a platform admin. The claim alone is not
/// enough: <see cref="IMembershipDirectory"/> must confirm the caller still belongs there (a token outlives
/// a removed membership). A tenant the caller does not belong to is refused with 403, and a suspended
/// tenant's callers with 403 <c>tenant-suspended</c>.
/// </summary>
public static class TenantResolution
{
    public const string Header = "X-Tenant";

    public static IApplicationBuilder UseTenantResolution(this IApplicationBuilder app) => app.Use(ResolveAsync);

    private static async Task ResolveAsync(HttpContext http, Func<Task> next)
    {
        var directory = http.RequestServices.GetService<ITenantDirectory>();
        var user = http.User;
        if (directory is null || user.Identity?.IsAuthenticated != true)
        {
            await next();
            return;
        }

        var options = http.RequestServices.GetRequiredService<IOptions<TenancyOptions>>().Value;
        var memberships = user.FindAll(ModularClaims.Tenant).Select(c => c.Value).ToList();
        var isPlatformAdmin = user.HasPermission(PlatformPermissions.Admin);
        var requested = Requested(http, options);
        var key = requested ?? memberships.FirstOrDefault();
        if (key is null)
        {
            await next(); // a platform-level caller with no tenant
            return;
        }

        var tenant = await directory.FindAsync(key, http.RequestAborted);
        var isMember = tenant is not null && memberships.Any(m => m == tenant.Id.ToString() || m == tenant.Slug)
            && (isPlatformAdmin || await StillMemberAsync(http, user, tenant));
        if (tenant is null || (!isMember && !isPlatformAdmin))
        {
            // The same answer whether the tenant exists or not: its existence is not the caller's business.
            await RefuseAsync(http, ProblemTypes.Forbidden, "Forbidden", "You are not a member of that tenant.");
            return;
        }

        if (tenant.IsSuspended && !isPlatformAdmin)
        {
            await RefuseAsync(http, ProblemTypes.TenantSuspended, "Tenant suspended", $"Tenant '{tenant.Slug}' is suspended; its data is kept but cannot be used.");
            return;
        }

        http.RequestServices.GetRequiredService<TenantScope>().Enter(tenant);
        await next();
    }

    private static async ValueTask<bool> StillMemberAsync(HttpContext http, ClaimsPrincipal user, TenantInfo tenant) =>
        http.RequestServices.GetService<IMembershipDirectory>() is { } members && await members.IsMemberAsync(user, tenant, http.RequestAborted);

    private static string? Requested(HttpContext http, TenancyOptions options)
    {
        if (options.HeaderSelection && http.Request.Headers[Header] is [{ Length: > 0 } header])
        {
            return header.Trim();
        }

        var host = http.Request.Host.Host;
        if (options.RootDomain is { Length: > 0 } root && host.EndsWith("." + root, StringComparison.OrdinalIgnoreCase))
        {
            var label = host[..^(root.Length + 1)];
            return label.Contains('.', StringComparison.Ordinal) ? null : label.ToLowerInvariant();
        }

        return null;
    }

    private static async Task RefuseAsync(HttpContext http, string type, string title, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status403Forbidden, Type = type, Title = title, Detail = detail },
        });
    }
}
