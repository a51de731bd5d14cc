using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;

namespace Modular.Kernel.Usage;

/// <summary>
/// Counts API calls against a tenant's metered quota. Implemented by the metering module; the kernel
/// only carries the endpoint filter, so any module (or the host) can meter its endpoints without
/// referencing metering, and a host without it simply does not meter.
/// </summary>
public interface IApiCallMeter
{
    /// <summary>Records one call of the tenant in scope on <paramref name="meterKey"/>, unless its hard quota is used up.</summary>
    ValueTask<ApiCallVerdict> RecordCallAsync(string meterKey, HttpContext context, CancellationToken cancellationToken);
}

/// <summary>Whether the call may proceed; when not, when the quota resets (the end of the billing period).</summary>
public sealed record ApiCallVerdict(bool Allowed, DateTimeOffset? ResetsAt = null, string? Detail = null)
{
    public static ApiCallVerdict Allow { get; } = new(true);
}

public static class ApiCallMetering
{
    /// <summary>
    /// Records one usage event on <paramref name="meterKey"/> per call of a tenant, and answers 429 problem
    /// details with <c>Retry-After</c> (seconds to the quota's reset) once a hard quota is used up. Calls
    /// without a tenant in scope, or on a host without metering, pass untouched.
    /// </summary>
    public static TBuilder MeterApiCalls<TBuilder>(this TBuilder builder, string meterKey)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(meterKey);
        return builder.AddEndpointFilter(async (invocation, next) =>
        {
            var http = invocation.HttpContext;
            if (http.RequestServices.GetService<IApiCallMeter>() is not { } meter)
            {
                return await next(invocation);
            }

            var verdict = await meter.RecordCallAsync(meterKey, http, http.RequestAborted);
            if (verdict.Allowed)
            {
                return await next(invocation);
            }

            if (verdict.ResetsAt is { } resetsAt)
            {
                var seconds = Math.Max(1, (long)Math.Ceiling((resetsAt - DateTimeOffset.UtcNow).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return TypedResults.Problem(
                detail: verdict.Detail ?? $"The quota of '{meterKey}' for this billing period is used up.",
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Quota exceeded",
                type: ProblemTypes.QuotaExceeded);
        });
    }
}
