using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement.FeatureFilters;
using Modular.Features.Contracts;
using Modular.Kernel.Tenancy;

namespace Modular.Features.Evaluation;

/// <summary>A targeting context that also knows the caller's tenant, so rollouts can stick to tenants.</summary>
internal sealed class TenantTargetingContext : TargetingContext
{
    public Guid? TenantId { get; init; }

    /// <summary>The caller as targeting sees it: the user, and the groups of its tenant, plan and roles.</summary>
    public static TenantTargetingContext For(string? userId, TenantInfo? tenant, IEnumerable<string> roles) => new()
    {
        UserId = userId,
        TenantId = tenant?.Id,
        Groups = [.. tenant is null ? [] : new[] { TargetingGroups.Tenant(tenant.Id), TargetingGroups.Plan(tenant.Plan) }, .. roles],
    };

    /// <summary>The tenant of any targeting context: ours carries it, others name it as a <c>tenant:</c> group.</summary>
    public static Guid? TenantOf(ITargetingContext? context)
    {
        if (context is TenantTargetingContext ours)
        {
            return ours.TenantId;
        }

        foreach (var group in context?.Groups ?? [])
        {
            if (group.StartsWith("tenant:", StringComparison.Ordinal) && Guid.TryParse(group.AsSpan("tenant:".Length), out var id))
            {
                return id;
            }
        }

        return null;
    }
}

/// <summary>
/// The request's caller for targeting: the signed-in user, its tenant (as resolved by the kernel)
/// and plan, and its roles. Built once per request.
/// </summary>
internal sealed class TenantTargetingContextAccessor(IHttpContextAccessor http) : ITargetingContextAccessor
{
    private static readonly object ItemKey = new();

    private static readonly TenantTargetingContext Anonymous = TenantTargetingContext.For(null, null, []);

    public ValueTask<TargetingContext> GetContextAsync()
    {
        var context = http.HttpContext;
        if (context is null)
        {
            return ValueTask.FromResult<TargetingContext>(Anonymous);
        }

        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is TargetingContext known)
        {
            return ValueTask.FromResult(known);
        }

        var user = context.User;
        var userId = user.Identity?.IsAuthenticated == true ? user.FindFirstValue("sub") ?? user.Identity.Name : null;
        var tenant = context.RequestServices.GetService<ITenantContext>()?.Tenant;
        var roles = user.FindAll(ClaimTypes.Role).Concat(user.FindAll("role")).Select(c => c.Value).Distinct();
        var built = TenantTargetingContext.For(userId, tenant, roles);
        context.Items[ItemKey] = built;
        return ValueTask.FromResult<TargetingContext>(built);
    }
}
