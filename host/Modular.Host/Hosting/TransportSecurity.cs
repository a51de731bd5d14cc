using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.HttpsPolicy;
using Modular.Kernel.Errors;

namespace Modular.Host.Hosting;

/// <summary>
/// HTTPS as production needs it, when <c>Https:Required</c> (on, but in Development): HSTS for a year with
/// subdomains (<c>Hsts</c> section, <see cref="HstsOptions"/>); over plain HTTP, a page a browser navigates to
/// is redirected, and every other request is refused, since a redirect would only invite the client to send
/// its token, secret or form once more. Cookies are Secure over HTTPS, and always on a production host.
/// </summary>
internal static class TransportSecurity
{
    public static WebApplicationBuilder AddTransportSecurity(this WebApplicationBuilder builder)
    {
        var required = IsRequired(builder.Configuration);
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = true;
        });
        builder.Services.Configure<HstsOptions>(builder.Configuration.GetSection("Hsts"));
        // One policy for every cookie, whoever sets it: antiforgery, Identity's, OpenIddict's, the console's.
        builder.Services.Configure<CookiePolicyOptions>(cookies =>
        {
            // Always, not only when the request looks like HTTPS: behind a proxy that ends TLS and does not
            // say so, every request looks like plain HTTP.
            cookies.Secure = required ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookies.HttpOnly = HttpOnlyPolicy.Always; // no script of the platform reads a cookie
        });
        return builder;
    }

    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        if (IsRequired(app.Configuration))
        {
            // Health probes come from inside the network over plain HTTP and carry nothing.
            app.UseWhen(
                http => !http.Request.IsHttps && !http.Request.Path.StartsWithSegments("/health"),
                plainHttp => plainHttp.Use(RefuseUnlessNavigation).UseHttpsRedirection());
            app.UseHsts();
        }

        app.UseCookiePolicy();
        return app;
    }

    private static bool IsRequired(IConfiguration configuration) => configuration.GetValue("Https:Required", true);

    private static Task RefuseUnlessNavigation(HttpContext http, RequestDelegate next) =>
        IsNavigation(http.Request)
            ? next(http)
            : TypedResults.Problem(
                "This host accepts this request over HTTPS only. What it carried has crossed the network in clear: " +
                "replace any credential it held, and send it again over HTTPS.",
                statusCode: StatusCodes.Status403Forbidden, title: "HTTPS required", type: ProblemTypes.HttpsRequired).ExecuteAsync(http);

    /// <summary>A browser opening a page: GET or HEAD outside the API, without credentials of its own. Redirecting it repeats nothing secret.</summary>
    private static bool IsNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && !request.Path.StartsWithSegments("/api")
        && request.Headers.Authorization.Count == 0;
}
