using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Features.Contracts;
using Modular.Identity.Contracts;
using Modular.Kernel.Persistence;
using Modular.Kernel.Tenancy;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Tenants.Persistence;
using Modular.Webhooks.Contracts;
using Npgsql;
using OpenIddict.Abstractions;

namespace Modular.Host.Tests;

/// <summary>
/// "Purged, with all its data": after a tenant holding data in every module is purged, no row of any table of any
/// module carries its id. The tables are read from the database's own catalog, so a new module's tables are checked
/// without editing this test. What stays, by design: the tenant's tombstone and the Tenants module's record of its
/// lifecycle (the platform's, not the tenant's), and each module's ledger of audit erasures.
/// </summary>
public sealed class TenantPurgeTests(PostgresServer postgres)
{
    private static readonly string[] Kept = ["tenants.tenants", "tenants.audit_entries", "*.audit_erasures"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purged_tenant_leaves_no_row_in_any_module_and_another_tenant_keeps_all_of_its_own(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?>
        {
            ["Webhooks:DeliveryEnabled"] = "false",
            ["Identity:SeedAdmin:Email"] = "admin@purge.example",
            ["Identity:SeedAdmin:Password"] = "Purge-Passw0rd!",
        });
        var platform = host.CreateClientAs("operator", host.ApiPermissions());
        var acme = await CreateTenantAsync(platform, "acme");
        var globex = await CreateTenantAsync(platform, "globex");
        await SeedMeteringDefinitionsAsync(platform);
        var keys = new Dictionary<Guid, string>();
        foreach (var tenant in new[] { acme, globex })
        {
            keys[tenant.Id] = await SeedTenantDataAsync(host, platform, tenant);
        }

        var before = await RowsCarryingAsync(host, acme);
        Assert.True(before.Keys.Count(t => !IsKept(t)) >= 10, $"the seeding should reach every module: {Describe(before)}");

        (await platform.DeleteAsync($"{TenantsRoutes.Tenant(acme.Id)}?retentionDays=0", Ct)).EnsureSuccessStatusCode();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            // What the purge worker does once the retention is over.
            scope.ServiceProvider.GetRequiredService<TenantScope>().EnterAllTenants();
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new PurgeTenant(acme.Id), Ct);
        }

        await Eventually.HoldsAsync(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var outbox = await scope.ServiceProvider.GetRequiredService<TenantsDbContext>().OutboxMessages.AsNoTracking().ToListAsync(Ct);
            return outbox.Any(m => m.Type.Contains(nameof(TenantPurged), StringComparison.Ordinal) && m.ProcessedAt is not null);
        }, "TenantPurged handled by every module");

        var left = (await RowsCarryingAsync(host, acme)).Where(t => !IsKept(t.Key)).ToDictionary();
        Assert.True(left.Count == 0, $"a purged tenant's rows are left in {Describe(left)}");
        var other = await RowsCarryingAsync(host, globex);
        Assert.Equal(before.Keys.Order(), other.Keys.Order()); // the other tenant keeps every kind of row

        // An API key's client holds its tenant in a JSON property, out of the catalogue scan's sight: it goes too.
        await using var clients = host.Services.CreateAsyncScope();
        var applications = clients.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        Assert.Null(await applications.FindByClientIdAsync(keys[acme.Id], Ct));
        Assert.NotNull(await applications.FindByClientIdAsync(keys[globex.Id], Ct));
    }

    private static async Task<TenantDto> CreateTenantAsync(HttpClient platform, string slug)
    {
        var response = await platform.PostAsJsonAsync(TenantsRoutes.Tenants, new { slug, name = slug, plan = "starter" }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TenantDto>(Ct))!;
    }

    private static async Task SeedMeteringDefinitionsAsync(HttpClient platform)
    {
        await Send(platform, HttpMethod.Post, MeteringRoutes.Meters, new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.usage.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        });
        await Send(platform, HttpMethod.Post, MeteringRoutes.Meters, new { key = "users", name = "Active users", eventType = "llm.completion", aggregation = "UNIQUE_COUNT", valuePath = "$.user" });
        await Send(platform, HttpMethod.Post, MeteringRoutes.Plans, new
        {
            key = "starter",
            currency = "EUR",
            name = "Starter",
            charges = new object[] { new { meter = "tokens", model = "PerUnit", unitPrice = 0.001 } },
        });
        await Send(platform, HttpMethod.Post, FeaturesRoutes.Features, new { key = "new-checkout", description = "The new checkout", type = "release", owner = "payments" });
    }

    /// <summary>
    /// Data of <paramref name="tenant"/> in every module, made through the API as its members and the operator would;
    /// answers the client id of the tenant's API key.
    /// </summary>
    private static async Task<string> SeedTenantDataAsync(ModularHost host, HttpClient platform, TenantDto tenant)
    {
        var member = host.CreateClient();
        member.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe($"{tenant.Slug}-admin", host.ApiPermissions(), tenant.Slug));

        var users = await platform.GetFromJsonAsync<JsonElement>($"{IdentityRoutes.Users}?search=admin", Ct);
        var user = users.GetProperty("items")[0].GetProperty("id").GetGuid();
        await Send(platform, HttpMethod.Put, IdentityRoutes.Membership(user, tenant.Id), new { roles = new[] { "member" } });
        await Send(member, HttpMethod.Post, IdentityRoutes.TenantRoles, new { name = "hook-reader", permissions = new[] { WebhooksPermissions.Read } });
        await Send(member, HttpMethod.Post, IdentityRoutes.TenantInvitations, new { email = $"invitee@{tenant.Slug}.example", roles = new[] { "hook-reader" } });
        var key = await member.PostAsJsonAsync(IdentityRoutes.TenantApiKeys, new { name = "ci", permissions = new[] { WebhooksPermissions.Read }, roles = new[] { "hook-reader" } }, Ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, key.StatusCode);

        await Send(platform, HttpMethod.Put, FeaturesRoutes.TenantOverride("new-checkout", tenant.Id), new { enabled = true, reason = "beta" });

        var eventType = (await member.GetFromJsonAsync<JsonElement>(WebhooksRoutes.EventTypes, Ct))[0].GetProperty("name").GetString();
        await Send(member, HttpMethod.Post, WebhooksRoutes.Endpoints, new { url = "https://hooks.example.com/modular", eventTypes = new[] { eventType } });
        await Send(member, HttpMethod.Post, WebhooksRoutes.Messages, new { eventType, eventId = "evt-1", data = new { invoice = "in_1" } });

        await Send(member, HttpMethod.Put, MeteringRoutes.BillingProfile, new { timeZone = "Europe/Budapest" });
        var usage = Enumerable.Range(1, 3).Select(n => new
        {
            specversion = "1.0",
            id = $"usage-{n}",
            source = "gateway",
            type = "llm.completion",
            subject = "customer-1",
            time = DateTimeOffset.UtcNow.AddMonths(-1).ToString("O"),
            data = new { usage = new { tokens = 10 * n }, model = "small", user = $"user-{n}" },
        });
        await Send(member, HttpMethod.Post, MeteringRoutes.Events, usage, "application/cloudevents-batch+json");
        await Send(member, HttpMethod.Post, MeteringRoutes.Statements, new { });
        return (await key.Content.ReadFromJsonAsync<TenantApiKeyWithSecret>(Ct))!.Key.ClientId;
    }

    private static async Task Send(HttpClient client, HttpMethod method, string url, object body, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, mediaType),
        };
        using var response = await client.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{method} {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
    }

    /// <summary>How many rows of each table ("schema.table") hold <paramref name="tenant"/>'s id in any id column.</summary>
    private async Task<Dictionary<string, long>> RowsCarryingAsync(ModularHost host, TenantDto tenant)
    {
        var rows = new Dictionary<string, long>();
        if (host.Provider == DatabaseProvider.Postgres)
        {
            // As a superuser: row-level security would hide the rows from the roles the host uses.
            var connectionString = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString)
            {
                Database = new NpgsqlConnectionStringBuilder(host.ConnectionString).Database,
            };
            await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
            await connection.OpenAsync(Ct);
            var columns = new List<(string Schema, string Table, string Column)>();
            await using (var catalog = new NpgsqlCommand(
                "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) " +
                "WHERE c.data_type = 'uuid' AND t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')", connection))
            await using (var reader = await catalog.ExecuteReaderAsync(Ct))
            {
                while (await reader.ReadAsync(Ct))
                {
                    columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }
            }

            foreach (var (schema, table, column) in columns)
            {
                await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".\"{table}\" WHERE \"{column}\" = $1", connection) { Parameters = { new() { Value = tenant.Id } } };
                Add(rows, $"{schema}.{table}", (long)(await count.ExecuteScalarAsync(Ct))!);
            }

            return rows;
        }

        // SQLite: one file per module, named by the {module} placeholder; a Guid is stored as upper-case text.
        var pattern = new SqliteConnectionStringBuilder(host.ConnectionString).DataSource;
        var prefix = Path.GetFileName(pattern)[..Path.GetFileName(pattern).IndexOf(DatabaseOptions.ModulePlaceholder, StringComparison.Ordinal)];
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(pattern)!, "*.db"))
        {
            var schema = Path.GetFileNameWithoutExtension(file)[prefix.Length..];
            await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync(Ct);
            var columns = new List<(string Table, string Column)>();
            await using (var catalog = new SqliteCommand(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.type = 'TEXT'", connection))
            await using (var reader = await catalog.ExecuteReaderAsync(Ct))
            {
                while (await reader.ReadAsync(Ct))
                {
                    columns.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            foreach (var (table, column) in columns)
            {
                await using var count = new SqliteCommand($"SELECT count(*) FROM \"{table}\" WHERE upper(\"{column}\") = $id", connection);
                count.Parameters.AddWithValue("$id", tenant.Id.ToString().ToUpperInvariant());
                Add(rows, $"{schema}.{table}", (long)(await count.ExecuteScalarAsync(Ct))!);
            }
        }

        return rows;
    }

    private static void Add(Dictionary<string, long> rows, string table, long count)
    {
        if (count > 0)
        {
            rows[table] = rows.GetValueOrDefault(table) + count;
        }
    }

    private static bool IsKept(string table) => Kept.Any(kept => kept.StartsWith("*.", StringComparison.Ordinal)
        ? table.EndsWith(kept[1..], StringComparison.Ordinal)
        : table == kept);

    private static string Describe(Dictionary<string, long> rows) => string.Join(", ", rows.Select(r => $"{r.Key} ({r.Value})"));
}
