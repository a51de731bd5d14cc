using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Modular.Kernel.Auditing;

/// <summary>Who is acting, for the audit trail: the signed-in user of the request, else the system.</summary>
public interface ICaller
{
    /// <summary>The user's subject (and name), or "system" for background work.</summary>
    string Actor { get; }

    /// <summary>The client's address, when there is a request.</summary>
    string? Address { get; }
}

internal sealed class HttpCaller(IHttpContextAccessor accessor) : ICaller
{
    public const string System = "system";

    public string Actor
    {
        get
        {
            var user = accessor.HttpContext?.User;
            if (user?.Identity?.IsAuthenticated != true)
            {
                return System;
            }

            var subject = user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier);
            var name = user.Identity.Name;
            return subject is null || subject == name ? name ?? "unknown" : $"{name} ({subject})";
        }
    }

    public string? Address => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}
