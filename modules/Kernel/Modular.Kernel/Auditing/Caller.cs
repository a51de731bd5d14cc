using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Modular.Kernel.Security;

namespace Modular.Kernel.Auditing;

/// <summary>Who is acting, for the audit trail: the signed-in user, else the system.</summary>
public interface ICaller
{
    /// <summary>The user's name (and subject), or "system" for background work.</summary>
    string Actor { get; }

    /// <summary>The client's address, when known.</summary>
    string? Address { get; }

    /// <summary>Who is signed in (possibly nobody), or null for the system: background work with no caller of its own.</summary>
    ClaimsPrincipal? User { get; }
}

/// <summary>
/// The caller of a unit of work that has no HTTP request of its own — a Blazor circuit — set by
/// whoever knows the user there. Requests need nothing: their HttpContext says who calls.
/// </summary>
public sealed class CallerScope
{
    public ClaimsPrincipal? User { get; set; }

    public string? Address { get; set; }
}

internal sealed class Caller(IHttpContextAccessor accessor, CallerScope scope) : ICaller
{
    public const string System = "system";

    public ClaimsPrincipal? User => scope.User ?? accessor.HttpContext?.User;

    public string Actor
    {
        get
        {
            var user = User;
            if (user?.Identity?.IsAuthenticated != true)
            {
                return System;
            }

            var subject = user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);
            var name = user.Identity.Name;
            var actor = subject is null || subject == name ? name ?? "unknown" : $"{name} ({subject})";
            // An operator acting as a member (support): both are named, the operator first.
            return user.FindFirstValue(ModularClaims.ImpersonatedBy) is { } impersonator ? $"{impersonator} as {actor}" : actor;
        }
    }

    public string? Address => scope.Address ?? accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}
