using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;

namespace Modular.Tenants.Tests;

/// <summary>The tenants API through the whole host pipeline, on SQLite and on PostgreSQL.</summary>
public sealed class TenantsApiTests(PostgresServer postgres)
{
    private static readonly string[] Manage = [TenantsPermissions.Manage, TenantsPermissions.Read];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [Trait("Category", "Smoke")]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Created_tenant_can_be_read_listed_and_its_event_is_published(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var client = host.CreateClientAs("operator", Manage);

        var created = await client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Acme Corp", plan = "pro" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenant = (await created.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
        Assert.Equal(("acme", "Acme Corp", "pro", "Active"), (tenant.Slug, tenant.Name, tenant.Plan, tenant.Status));
        Assert.Equal(TenantsRoutes.Tenant(tenant.Id), created.Headers.Location?.OriginalString);

        var fetched = (await client.GetFromJsonAsync<TenantDto>(TenantsRoutes.Tenant(tenant.Id), Ct))!;
        Assert.Equal(tenant, fetched with { Metadata = tenant.Metadata });
        var page = (await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?search=ACME", Ct))!;
        Assert.Equal(1, page.Total);
        Assert.Equal(tenant.Id, Assert.Single(page.Items).Id);

        // TenantCreated went into the tenants outbox with the tenant, and the worker publishes it.
        await Eventually.HoldsAsync(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var outbox = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().OutboxMessages.AsNoTracking().ToListAsync(Ct);
            var message = Assert.Single(outbox);
            Assert.Contains(nameof(TenantCreated), message.Type);
            return message.ProcessedAt is not null;
        }, "TenantCreated published");
    }

    [Fact]
    public async Task Listing_pages_newest_first()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClientAs("operator", Manage);
        foreach (var slug in new[] { "one", "two", "three" })
        {
            (await client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug }, Ct)).EnsureSuccessStatusCode();
        }

        var first = (await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?page=1&pageSize=2", Ct))!;
        var second = (await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?page=2&pageSize=2", Ct))!;

        Assert.Equal(3, first.Total);
        Assert.Equal(["three", "two"], first.Items.Select(t => t.Slug));
        Assert.Equal(["one"], second.Items.Select(t => t.Slug));
    }

    [Fact]
    public async Task A_thousand_tenants_page_through_completely_with_search_and_status_filter()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            // Seeded straight into the table: this test is about reading them back.
            var db = scope.ServiceProvider.GetRequiredService<TenantsDbContext>();
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < 1000; i++)
            {
                var tenant = Domain.Tenant.Create($"tenant-{i:D4}", $"Tenant {i:D4}", null, null, now.AddMilliseconds(i));
                if (i % 100 == 0)
                {
                    tenant.Suspend("seeded", now);
                }

                db.Tenants.Add(tenant);
            }

            await db.SaveChangesAsync(Ct);
        }

        var client = host.CreateClientAs("operator", Manage);
        var seen = new List<TenantDto>();
        for (var page = 1; page <= 10; page++)
        {
            var result = (await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?page={page}&pageSize=100", Ct))!;
            Assert.Equal(1000, result.Total);
            Assert.Equal(100, result.Items.Count);
            seen.AddRange(result.Items);
        }

        Assert.Equal(1000, seen.Select(t => t.Id).Distinct().Count());
        Assert.Equal("tenant-0999", seen[0].Slug); // newest first
        Assert.Empty((await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?page=11&pageSize=100", Ct))!.Items);

        var search = (await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?search=tenant-012", Ct))!;
        Assert.Equal(10, search.Total);
        var suspended = (await client.GetFromJsonAsync<TenantPage>($"{TenantsRoutes.Tenants}?status=suspended&pageSize=100", Ct))!;
        Assert.Equal(10, suspended.Total);
        Assert.All(suspended.Items, t => Assert.Equal(TenantStatuses.Suspended, t.Status));
        var badStatus = await client.GetAsync($"{TenantsRoutes.Tenants}?status=sleeping", Ct);
        (await badStatus.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("status");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_duplicate_slug_is_a_conflict_and_the_first_tenant_is_kept(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        var client = host.CreateClientAs("operator", Manage);
        (await client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "First" }, Ct)).EnsureSuccessStatusCode();

        var duplicate = await client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "acme", name = "Second" }, Ct);

        var problem = await duplicate.AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        Assert.Contains("acme", problem.GetProperty("detail").GetString());
        var page = (await client.GetFromJsonAsync<TenantPage>(TenantsRoutes.Tenants, Ct))!;
        Assert.Equal("First", Assert.Single(page.Items).Name);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_slug_make_one_tenant_and_conflicts_not_errors()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var client = host.CreateClientAs("operator", Manage);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug = "race", name = $"Racer {i}" }, Ct)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
    }

    [Theory]
    [InlineData("""{"name":"No slug"}""", "slug")]
    [InlineData("""{"slug":"acme"}""", "name")]
    [InlineData("""{"slug":"Not A Slug!","name":"Acme"}""", "slug")]
    [InlineData("""{"slug":"-acme","name":"Acme"}""", "slug")]
    [InlineData("""{"slug":"acme","name":"   "}""", "name")]
    [InlineData("""{"slug":"acme","name":"Acme","plan":"Pro Plan"}""", "plan")]
    public async Task Invalid_fields_get_a_validation_problem_naming_the_field(string body, string field)
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClientAs("operator", Manage);

        var response = await client.PostAsync(TenantsRoutes.Tenants, Json(body), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        problem.AssertNamesField(field);
        await AssertNoTenantsAsync(client);
    }

    [Theory]
    [InlineData("""{"slug": 42, "name": "Acme"}""", "slug")]
    [InlineData("""{"slug": "acme", "name": ["Acme"]}""", "name")]
    [InlineData("""{"slug": "acme", "name": "Acme" """, "body")]
    [InlineData("not json at all", "body")]
    public async Task Malformed_json_gets_a_problem_naming_the_field_and_no_internals(string body, string field)
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClientAs("operator", Manage);

        var response = await client.PostAsync(TenantsRoutes.Tenants, Json(body), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        problem.AssertNamesField(field);
        Assert.DoesNotContain("System.", problem.ToString());
        Assert.DoesNotContain("   at ", problem.ToString());
        await AssertNoTenantsAsync(client);
    }

    [Fact]
    public async Task A_missing_body_or_a_wrong_content_type_is_a_problem_not_a_crash()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClientAs("operator", Manage);

        await (await client.PostAsync(TenantsRoutes.Tenants, Json(""), Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        var text = new StringContent("slug=acme", Encoding.UTF8, "text/plain");
        await (await client.PostAsync(TenantsRoutes.Tenants, text, Ct)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, ProblemTypes.UnsupportedMediaType);
    }

    [Theory]
    [InlineData($"{TenantsRoutes.Tenants}?pageSize=1000", "pageSize")]
    [InlineData($"{TenantsRoutes.Tenants}?page=0", "page")]
    public async Task Out_of_range_paging_is_a_validation_problem(string url, string field)
    {
        await using var host = ModularHost.OnSqlite();
        var response = await host.CreateClientAs("operator", Manage).GetAsync(url, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        problem.AssertNamesField(field);
    }

    [Fact]
    public async Task An_unknown_or_garbage_id_is_not_found()
    {
        await using var host = ModularHost.OnSqlite();
        var client = host.CreateClientAs("operator", Manage);

        await (await client.GetAsync(TenantsRoutes.Tenant(Guid.NewGuid()), Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await (await client.GetAsync("/api/v1/tenants/not-a-guid", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Fact]
    public async Task Callers_without_the_permission_are_refused_and_nothing_is_created()
    {
        await using var host = ModularHost.OnSqlite();
        var anonymous = host.CreateClient();
        var reader = host.CreateClientAs("reader", TenantsPermissions.Read);
        var stranger = host.CreateClientAs("stranger", "features.manage");
        var body = new { slug = "acme", name = "Acme" };

        await (await anonymous.PostAsJsonAsync(TenantsRoutes.Tenants, body, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await anonymous.GetAsync(TenantsRoutes.Tenants, Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, ProblemTypes.Unauthorized);
        await (await reader.PostAsJsonAsync(TenantsRoutes.Tenants, body, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await (await stranger.GetAsync(TenantsRoutes.Tenants, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        await AssertNoTenantsAsync(reader);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task AssertNoTenantsAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<TenantPage>(TenantsRoutes.Tenants, Ct);
        Assert.Equal(0, page!.Total);
    }


}
