using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Modular.Kernel.Errors;

public static class ProblemDetailsSetup
{
    /// <summary>
    /// Every error the host returns becomes RFC 9457 problem details with a stable <c>type</c>
    /// (<see cref="ProblemTypes"/>) and a <c>traceId</c>; exceptions never leak their text.
    /// </summary>
    public static IServiceCollection AddModularProblemDetails(this IServiceCollection services)
    {
        // Ahead of the JSON writer AddProblemDetails adds: the first writer that can write wins.
        services.AddSingleton<IProblemDetailsWriter, ErrorPageWriter>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                problem.Type = ProblemTypes.ForStatus(status);
            }

            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ExceptionProblemHandler>();

        // Binding failures (malformed JSON, wrong content type) throw, so they reach the handler
        // below and name the field, instead of ending as an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>Exception handler first, then problem bodies for bare status codes (404, 401, 405...).</summary>
    public static IApplicationBuilder UseModularProblemDetails(this IApplicationBuilder app)
        => app.UseExceptionHandler().UseStatusCodePages();
}

/// <summary>Maps exceptions to problem details. Unexpected ones are logged and answered with a bare 500.</summary>
internal sealed partial class ExceptionProblemHandler(IProblemDetailsService problems, ILogger<ExceptionProblemHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            RequestValidationException e => new ValidationProblemDetails(e.Errors.ToDictionary())
            {
                Status = e.Status,
                Type = e.Type,
                Title = e.Title,
                Detail = e.Message,
            },
            ProblemException e => new ProblemDetails { Status = e.Status, Type = e.Type, Title = e.Title, Detail = e.Message },
            BadHttpRequestException e => FromBadRequest(e),
            Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException => new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Type = ProblemTypes.MalformedRequest,
                Title = "The form could not be accepted",
                Detail = "The form is stale or did not come from this site; reload the page and try again.",
            },
            DbUpdateException { InnerException: var inner } when IsUniqueViolation(inner) => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Type = ProblemTypes.Conflict,
                Title = "Conflict",
                Detail = "A resource with the same unique value already exists.",
            },
            DbUpdateConcurrencyException => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Type = ProblemTypes.Conflict,
                Title = "Conflict",
                Detail = "The resource was changed by someone else; read it again and retry.",
            },
            _ when IsDatabaseUnavailable(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.Unavailable,
                Title = "Service unavailable",
                Detail = "The service cannot reach its database just now; retry after the time given in Retry-After.",
            },
            _ => null,
        };

        if (problem?.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogUnavailable(logger, exception, http.Request.Method, http.Request.Path);
            http.Response.Headers.RetryAfter = UnavailableRetryAfterSeconds;
        }

        if (problem is null)
        {
            LogUnhandled(logger, exception, http.Request.Method, http.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Type = ProblemTypes.Internal,
                Title = "An unexpected error occurred",
                Detail = "The error was logged; quote the traceId when reporting it.",
            };
        }

        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new ProblemDetails
            {
                Status = e.StatusCode,
                Type = ProblemTypes.PayloadTooLarge,
                Title = "The request body is too large",
                Detail = "Send a smaller body; the limit is set by the host's MaxRequestBodySize.",
            };
        }

        if (e.InnerException is JsonException json)
        {
            // JsonException.Path names the offending member ("$.name"); its message names .NET types, so keep it inside.
            var field = json.Path is null or "$" ? "body" : json.Path.TrimStart('$', '.');
            return new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [field] = [json.Path is null or "$" ? "The body is not valid JSON." : "The value is missing, malformed or of the wrong type."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Type = ProblemTypes.MalformedRequest,
                Title = "The request body could not be read",
                Detail = "The body is not valid JSON for this endpoint.",
            };
        }

        return new ProblemDetails
        {
            Status = e.StatusCode,
            Type = ProblemTypes.ForStatus(e.StatusCode),
            Title = "The request could not be read",
            Detail = e.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? "Send the body as application/json."
                : "A parameter or the body is missing or malformed.",
        };
    }

    /// <summary>A unique index refused the write: two requests raced for the same key.</summary>
    private static bool IsUniqueViolation(Exception? e) => e switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555, // UNIQUE, PRIMARYKEY
        _ => false,
    };

    /// <summary>
    /// The database is down, restarting, refusing connections, overloaded, or the request kept losing a
    /// serialization race (on PostgreSQL such failures were already retried, see ModuleDatabase), or SQLite
    /// stayed locked past its busy timeout. Found anywhere in the chain: EF wraps them (RetryLimitExceeded,
    /// DbUpdateException, "likely due to a transient failure"). Anything else stays a 500: a bug.
    /// </summary>
    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException { IsTransient: true }
                || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            {
                return true;
            }
        }

        return false;
    }

    private const int SqliteBusy = 5, SqliteLocked = 6;

    /// <summary>A failover or restart usually takes seconds; readiness takes the instance out meanwhile.</summary>
    private const string UnavailableRetryAfterSeconds = "5";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database was unavailable on {Method} {Path}; answered 503")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
