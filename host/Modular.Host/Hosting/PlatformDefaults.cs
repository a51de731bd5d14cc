using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Modular.Kernel;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;

namespace Modular.Host.Hosting;

/// <summary>
/// Everything a production host needs around the modules: telemetry, health, problem details,
/// authentication and deny-by-default authorization, rate limiting, HTTPS, security headers, OpenAPI.
/// </summary>
internal static partial class PlatformDefaults
{
    public static WebApplicationBuilder AddPlatformDefaults(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddModularKernel(builder.Configuration);

        // Kestrel binds only its endpoints from configuration by itself; limits (MaxRequestBodySize...) need this.
        services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        services.AddHealthChecks();
        services.AddOpenApi();
        services.AddAntiforgery();
        builder.AddTelemetry();
        builder.AddRateLimiting();
        builder.AddTransportSecurity();

        // The host's own default scheme, for whatever no module's scheme answers: a challenge is a bare 401
        // (→ problem details), never a redirect to a login page; the identity module adds its own schemes.
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "modular.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Events.OnRedirectToLogin = context => SetStatus(context.Response, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => SetStatus(context.Response, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorization(options =>
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }

    public static WebApplication UsePlatformDefaults(this WebApplication app)
    {
        app.UseModularProblemDetails();
        app.UseTransportSecurity(); // before anything answers or sets a cookie
        app.Use(SecurityHeaders);
        app.UseAuthentication(); // also answers the OpenID provider's own endpoints (discovery, JWKS, token...)
        // The limiter partitions by the caller, so it follows authentication, but precedes every other answer:
        // 404s, 401s and tenant refusals spend the budget too. The OpenID provider's endpoints, answered inside
        // the authentication middleware, spend a permit of this same limiter first thing (identity module).
        app.UseRateLimiter();
        app.Use(NotFoundWithoutEndpoint);
        app.UseTenantResolution();
        app.UseAuthorization();
        app.UseAntiforgery(); // every form (sign-in, consent, the admin console) is checked
        app.Lifetime.ApplicationStarted.Register(() => LogUrls(app));
        return app;
    }

    public static WebApplication MapPlatformEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") })
            .AllowAnonymous().DisableRateLimiting();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api-reference").AllowAnonymous();
        // Browsers ask for /favicon.ico on every page of their own accord; the pages also link it (an SVG, which they all draw).
        app.MapGet("/favicon.ico", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Text(Favicon, "image/svg+xml");
        }).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        return app;
    }

    /// <summary>The console's primary colour, an "M": the tab of a console or account page says whose it is.</summary>
    private const string Favicon =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#594ae2\"/>" +
        "<path d=\"M7 24V8h4l5 8 5-8h4v16h-4V15l-5 7-5-7v9z\" fill=\"#fff\"/></svg>";

    private static void AddTelemetry(this WebApplicationBuilder builder)
    {
        // Traces and metrics are always collected; they leave the process only when the standard
        // OTEL_EXPORTER_OTLP_ENDPOINT variable names a collector.
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithTracing(tracing => tracing
                .AddSource(KernelTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>
    /// One fixed window per tenant, else per user, else per client address (<c>RateLimiting</c> section), for
    /// every request (across all instances when Redis is configured) — refusals and the OpenID provider's endpoints included. Health probes are exempt.
    /// </summary>
    private static void AddRateLimiting(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("RateLimiting");
        var permitLimit = settings.GetValue("PermitLimit", 600);
        var window = settings.GetValue("Window", TimeSpan.FromMinutes(1));
        builder.Services.AddRateLimiter(options =>
        {
            // Counted across instances when Redis is configured, per instance otherwise (docs/adr/0020).
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.RequestServices.GetRequiredService<ClusterLimits>().FixedWindow(PartitionKey(http), permitLimit, window));
            options.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
                return new ValueTask(RateLimitedProblem.Create(http, retryAfter).ExecuteAsync(http));
            };
        });
    }

    private static string PartitionKey(HttpContext http)
    {
        var user = http.User;
        if (user.FindFirst(ModularClaims.Tenant)?.Value is { } tenant)
        {
            return "tenant:" + tenant;
        }

        return user.Identity?.IsAuthenticated == true && user.Identity.Name is { } name
            ? "user:" + name
            : "ip:" + ClientAddress.Of(http);
    }

    private static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        // Blazor and MudBlazor need inline styles; scripts come only from this origin.
        headers.ContentSecurityPolicy =
            "default-src 'self'; base-uri 'self'; frame-ancestors 'none'; object-src 'none'; img-src 'self' data:; " +
            "style-src 'self' 'unsafe-inline'; font-src 'self' data:; script-src 'self'; connect-src 'self'";
        return next();
    }

    /// <summary>
    /// A path no endpoint answers is a 404 (→ problem details) for everyone; without this the
    /// deny-by-default policy would answer anonymous callers 401 for paths that do not exist.
    /// </summary>
    private static Task NotFoundWithoutEndpoint(HttpContext http, Func<Task> next) =>
        http.GetEndpoint() is null ? SetStatus(http.Response, StatusCodes.Status404NotFound) : next();

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static void LogUrls(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        // Only point at the console if this host has one (it is optional in the template).
        var hasConsole = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Any(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/admin", StringComparison.Ordinal) == true);
        foreach (var address in addresses.Select(a => a.TrimEnd('/')))
        {
            if (hasConsole)
            {
                LogStartedWithConsole(app.Logger, address + "/api-reference", address + "/admin", address + "/health/ready");
            }
            else
            {
                LogStarted(app.Logger, address + "/api-reference", address + "/health/ready");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Modular is up. API reference: {ApiReference}  Admin console: {Admin}  Readiness: {Ready}")]
    private static partial void LogStartedWithConsole(ILogger logger, string apiReference, string admin, string ready);

    [LoggerMessage(Level = LogLevel.Information, Message = "Modular is up. API reference: {ApiReference}  Readiness: {Ready}")]
    private static partial void LogStarted(ILogger logger, string apiReference, string ready);
}
