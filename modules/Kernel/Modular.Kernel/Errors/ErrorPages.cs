using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Modular.Kernel.Errors;

/// <summary>
/// People get pages, programs get problem details: a browser opening a page that fails (not found, forbidden, an
/// error) is shown <see cref="Page"/>, a whole HTML document; everything under <c>/api</c>, and any request that is
/// not a browser's navigation, keeps RFC 9457 problem details. Inert until a module names the page.
/// </summary>
public sealed class ErrorPageOptions
{
    /// <summary>
    /// A component rendered statically with the parameters <c>Status</c> (int), <c>Title</c>, <c>Detail</c>,
    /// <c>TraceId</c>, <c>SignedInAs</c> (string?) and <c>SignOutAction</c> (string?, a form's POST target).
    /// </summary>
    public Type? Page { get; set; }

    /// <summary>
    /// Where someone signed in on a page under a path prefix signs out (a form posting an antiforgery token), longest
    /// prefix first: each area has its own session (the console's cookie, the account pages' cookie).
    /// </summary>
    public Dictionary<string, string> SignOutActions { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Writes <see cref="ErrorPageOptions.Page"/> in place of problem details JSON for a browser's navigation.</summary>
internal sealed class ErrorPageWriter(IOptions<ErrorPageOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        options.Value.Page is not null && IsPageNavigation(context.HttpContext.Request) && !context.HttpContext.Response.HasStarted;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        var user = http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;
        var parameters = new Dictionary<string, object?>
        {
            ["Status"] = status,
            ["Title"] = problem.Title ?? "",
            ["Detail"] = problem.Detail,
            ["TraceId"] = problem.Extensions.TryGetValue("traceId", out var trace) ? trace?.ToString() : Activity.Current?.Id ?? http.TraceIdentifier,
            ["SignedInAs"] = user,
            ["SignOutAction"] = user is null ? null : SignOutAction(http.Request.Path),
        };
        return new ValueTask(new RazorComponentResult(options.Value.Page!, parameters) { StatusCode = status }.ExecuteAsync(http));
    }

    private string? SignOutAction(PathString path) => options.Value.SignOutActions
        .Where(area => path.StartsWithSegments(area.Key))
        .OrderByDescending(area => area.Key.Length)
        .Select(area => area.Value)
        .FirstOrDefault();

    /// <summary>
    /// A top-level page load by a browser (Sec-Fetch-Dest: document, or HTML asked for first), outside the API.
    /// Scripts, fetches and API clients that accept anything still get JSON.
    /// </summary>
    internal static bool IsPageNavigation(HttpRequest request)
    {
        if (request.Path.StartsWithSegments("/api") || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsPost(request.Method)))
        {
            return false;
        }

        if (request.Headers["Sec-Fetch-Dest"] is { Count: > 0 } destination)
        {
            return destination == "document";
        }

        return MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
            && accepted.FirstOrDefault() is { } first && first.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
