using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;

namespace Modular.Identity.Limits;

internal static class FailedLoginLimit
{
    /// <summary>
    /// The login form's (and the passkey sign-in's) guard against password guessing: while the user name or the caller's address has used up
    /// its failures (<see cref="FailedSignIns"/>), the form is answered 429 before the password is checked; every
    /// login the form refuses (400: unknown user, wrong password, locked, unconfirmed) counts as a failure.
    /// </summary>
    public static RouteHandlerBuilder LimitFailedLogins(this RouteHandlerBuilder login) => login.AddEndpointFilter(async (invocation, next) =>
    {
        var http = invocation.HttpContext;
        var failures = http.RequestServices.GetRequiredService<FailedSignIns>();
        // The passkey steps post no user name (one of them no form at all): they count against the address alone.
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        var userName = form is not null && form["username"] is [{ Length: > 0 } name]
            ? http.RequestServices.GetRequiredService<ILookupNormalizer>().NormalizeName(name.Trim())
            : null;
        if (failures.RetryAfter(SignInKind.User, userName, http) is { } wait)
        {
            return RateLimitedProblem.Create(http, wait, "Too many failed sign-ins; try again after the time given in Retry-After.");
        }

        var result = await next(invocation);
        if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status400BadRequest })
        {
            failures.Fail(SignInKind.User, userName, http);
        }

        return result;
    });
}
