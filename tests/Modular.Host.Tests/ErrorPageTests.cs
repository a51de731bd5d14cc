using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Tenancy;

namespace Modular.Host.Tests;

/// <summary>
/// A person's browser gets an HTML page for a failed page; a program, a script's fetch and anything under <c>/api</c>
/// keep problem details (ADR 0019). Decided by the request's own headers, as browsers send them.
/// </summary>
public sealed class ErrorPageTests
{
    /// <summary>What Chromium asks for when it opens a page.</summary>
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_page_navigation_gets_html_and_a_fetch_or_an_api_call_gets_problem_details()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClient();

        using var page = await SendAsync(client, "/no-such-page", ("Accept", BrowserAccept), ("Sec-Fetch-Dest", "document"));
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<h1>This page does not exist</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<link rel=\"icon\" href=\"/favicon.ico\"", html, StringComparison.Ordinal);

        // The same browser's script fetching the address, an API call from a page, a program: problem details.
        using var fetch = await SendAsync(client, "/no-such-page", ("Accept", "*/*"), ("Sec-Fetch-Dest", "empty"));
        await fetch.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        using var api = await SendAsync(client, "/api/v1/no-such-resource", ("Accept", BrowserAccept), ("Sec-Fetch-Dest", "document"));
        await api.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        using var program = await SendAsync(client, "/no-such-page");
        await program.AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);

        // Without Fetch Metadata (an older browser), asking for HTML first is a page navigation.
        using var older = await SendAsync(client, "/no-such-page", ("Accept", "text/html"));
        Assert.Equal("text/html", older.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_failure_is_a_page_with_its_trace_id_for_a_person_and_a_bare_500_for_a_program_never_the_exception()
    {
        // A bug inside the pipeline: the tenant directory fails for every request that names a tenant.
        await using var host = ModularHost.OnSqlite().WithServices(s => s.AddSingleton<ITenantDirectory, FailingDirectory>());
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("member", [], "acme"));

        using var page = await SendAsync(client, "/org", ("Accept", BrowserAccept), ("Sec-Fetch-Dest", "document"));
        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<h1>Something went wrong</h1>", html, StringComparison.Ordinal);
        Assert.Matches("<code data-testid=\"trace-id\">[^<]+</code>", html);
        Assert.DoesNotContain(FailingDirectory.Secret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), html, StringComparison.Ordinal);

        // A program gets problem details with its own trace id, and nothing of the exception either.
        using var program = await SendAsync(client, "/api/v1/tenant");
        var problem = await program.AssertProblemAsync(HttpStatusCode.InternalServerError, ProblemTypes.Internal);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.DoesNotContain(FailingDirectory.Secret, problem.GetRawText(), StringComparison.Ordinal);
    }

    private sealed class FailingDirectory : ITenantDirectory
    {
        public const string Secret = "connection string with a password";

        public ValueTask<TenantInfo?> FindAsync(string idOrSlug, CancellationToken cancellationToken) => throw new InvalidOperationException(Secret);
    }

    [Fact]
    public async Task Every_page_has_an_icon_so_the_browser_reports_no_missing_favicon()
    {
        await using var host = ModularHost.OnSqlite();
        using var icon = await host.CreateClient().GetAsync("/favicon.ico", Ct);

        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", await icon.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
