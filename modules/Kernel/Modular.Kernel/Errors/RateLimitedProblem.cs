using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Modular.Kernel.Errors;

/// <summary>The one answer of every limit the platform enforces: 429 problem details <c>rate-limited</c> with <c>Retry-After</c>.</summary>
public static class RateLimitedProblem
{
    public const string DefaultDetail = "Slow down and retry after the time given in Retry-After.";

    /// <summary>Sets <c>Retry-After</c> (whole seconds, at least one) on the response and returns the problem to write.</summary>
    public static IResult Create(HttpContext http, TimeSpan? retryAfter, string detail = DefaultDetail)
    {
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", type: ProblemTypes.RateLimited);
    }
}
