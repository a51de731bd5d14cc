using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Modular.Kernel.Errors;
using Modular.Tenants.Contracts;

namespace Modular.Host.Tests;

/// <summary>What the host promises around the modules: health, errors, limits, headers, OpenAPI.</summary>
public sealed class HostTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Category", "Smoke")]
    public async Task Live_and_ready_answer_anonymously_once_migrated()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Ct)).StatusCode);
        var ready = await client.GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Not_ready_while_migrations_are_pending()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("/no/such/path")]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/admin/no-such-page")]
    public async Task Unknown_routes_are_404_problems_even_for_anonymous_callers(string path)
    {
        await using var host = ModularHost.OnSqlite();

        await (await host.CreateClient().GetAsync(path, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);

        await (await client.DeleteAsync(TenantsRoutes.Tenants, Ct)).AssertProblemAsync(HttpStatusCode.MethodNotAllowed, ProblemTypes.MethodNotAllowed);
    }

    [Fact]
    public async Task An_oversize_body_is_refused_by_kestrel_with_a_413_problem()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Kestrel:Limits:MaxRequestBodySize"] = "4096" });
        host.UseKestrel(0);
        host.StartServer();
        var client = host.CreateClientAs("operator", TenantsPermissions.Manage, TenantsPermissions.Read);

        var huge = JsonSerializer.Serialize(new { slug = "acme", name = new string('x', 10_000) });
        var response = await client.PostAsync(TenantsRoutes.Tenants, new StringContent(huge, Encoding.UTF8, "application/json"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ProblemTypes.PayloadTooLarge);
        Assert.Equal(0, (await client.GetFromJsonAsync<TenantPage>(TenantsRoutes.Tenants, Ct))!.Total);
    }

    [Fact]
    public async Task The_rate_limiter_answers_429_with_retry_after_once_the_window_is_spent()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["RateLimiting:PermitLimit"] = "3", ["RateLimiting:Window"] = "00:10:00" });
        var client = host.CreateClientAs("busy-client", TenantsPermissions.Read);
        var other = host.CreateClientAs("quiet-client", TenantsPermissions.Read);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(TenantsRoutes.Tenants, Ct)).StatusCode);
        }

        var limited = await client.GetAsync(TenantsRoutes.Tenants, Ct);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // The window is per caller, and health probes are never limited.
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(TenantsRoutes.Tenants, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", Ct)).StatusCode);
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        await using var host = ModularHost.OnSqlite();

        var response = await host.CreateClient().GetAsync("/health/live", Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task The_openapi_document_and_reference_ui_describe_the_module_endpoints()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty(TenantsRoutes.Tenants, out var tenants));
        Assert.True(tenants.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/v1/tenants/{id}", out _));

        var reference = await client.GetAsync("/api-reference", Ct);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("text/html", reference.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task A_module_switched_off_is_gone_and_the_host_still_runs()
    {
        await using var host = ModularHost.OnSqlite(new Dictionary<string, string?> { ["Modules:Tenants:Enabled"] = "false" });
        var client = host.CreateClientAs("operator", TenantsPermissions.Read);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", Ct)).StatusCode);
        await (await client.GetAsync(TenantsRoutes.Tenants, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Fact]
    public async Task The_host_runs_on_postgres_with_a_schema_per_module()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", Ct)).StatusCode);

        await using var connection = new Npgsql.NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var tables = new Npgsql.NpgsqlCommand(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = 'tenants' ORDER BY 1", connection);
        var names = new List<string>();
        await using (var reader = await tables.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                names.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["tenants.__ef_migrations_history", "tenants.audit_entries", "tenants.outbox_messages", "tenants.tenants"], names);
    }

}
