using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Npgsql;

namespace Modular.Testing;

/// <summary>
/// The real host, whole pipeline, in-process; on a fresh SQLite directory or PostgreSQL database.
/// Migrations are applied at start-up as in Development (on PostgreSQL by the database's owner, while the host
/// serves as a role that owns nothing, as production should); sign-in is <see cref="TestSignIn"/>.
/// </summary>
public sealed class ModularHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly string? _sqliteDirectory;
    private readonly List<Action<IServiceCollection>> _services = [];
    private bool _realSignIn;

    private ModularHost(Dictionary<string, string?> settings, string? sqliteDirectory)
    {
        _settings = settings;
        _sqliteDirectory = sqliteDirectory;
    }

    /// <summary>
    /// Sign in for real (identity module: login cookie, OpenID Connect tokens) instead of with
    /// <see cref="TestSignIn"/>'s header.
    /// </summary>
    public ModularHost WithRealSignIn()
    {
        _realSignIn = true;
        return this;
    }

    /// <summary>Shares caches, the cluster bus and rate limits through <paramref name="redis"/>; before the host starts.</summary>
    public ModularHost WithRedis(RedisServer redis)
    {
        _settings["Redis:ConnectionString"] = redis.ConnectionString;
        return this;
    }

    /// <summary>Adds or replaces services before the host starts (e.g. a module's provisioning step).</summary>
    public ModularHost WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public DatabaseProvider Provider => Enum.Parse<DatabaseProvider>(_settings["Database:Provider"]!);

    public static ModularHost OnSqlite(IDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("modular-sqlite-").FullName;
        return new ModularHost(
            Merge(settings, DatabaseProvider.Sqlite, $"Data Source={Path.Combine(directory, "modular-{module}.db")}", migrationConnectionString: null),
            directory);
    }

    /// <summary>On a new PostgreSQL database, migrated by its owner and served by the application's role, which owns nothing.</summary>
    public static async Task<ModularHost> OnPostgresAsync(PostgresServer server, IDictionary<string, string?>? settings = null)
    {
        var database = await server.CreateDatabaseAsync();
        return new(Merge(settings, DatabaseProvider.Postgres, database, PostgresServer.AsOwner(database)), null);
    }

    /// <summary>
    /// On a new PostgreSQL database reached through <paramref name="pgBouncer"/> in transaction mode, as behind a managed
    /// pooler: migrations, <c>LISTEN</c> and the locks of exclusive work go straight to the server (docs/adr/0020).
    /// </summary>
    public static async Task<ModularHost> OnPgBouncerAsync(PostgresServer server, PgBouncerServer pgBouncer, IDictionary<string, string?>? settings = null)
    {
        var database = await server.CreateDatabaseAsync();
        var merged = Merge(settings, DatabaseProvider.Postgres, pgBouncer.Through(database), PostgresServer.AsOwner(database));
        merged.TryAdd("Database:DirectConnectionString", database);
        return new(merged, null);
    }

    /// <summary>Either provider, for tests written once and run on both.</summary>
    public static async Task<ModularHost> StartAsync(DatabaseProvider provider, PostgresServer server, IDictionary<string, string?>? settings = null) =>
        provider == DatabaseProvider.Postgres ? await OnPostgresAsync(server, settings) : OnSqlite(settings);

    /// <summary>
    /// A second host instance on this one's database (and settings), as a scaled-out deployment runs:
    /// for what instances must agree on. The first instance owns (and removes) a SQLite directory.
    /// </summary>
    public ModularHost AnotherInstance() => new(new Dictionary<string, string?>(_settings), null);

    /// <summary>The connection string the host's module databases use (SQLite: with the {module} placeholder).</summary>
    public string ConnectionString => _settings["Database:ConnectionString"]!;

    /// <summary>PostgreSQL: what the host's sessions of its own (LISTEN, exclusive work's locks) connect to, past any pooler.</summary>
    public string DirectConnectionString => _settings.GetValueOrDefault("Database:DirectConnectionString") ?? ConnectionString;

    /// <summary>
    /// What the host migrates with: on PostgreSQL the schema owner's connection string, for setting data up outside
    /// the application; on SQLite the same as <see cref="ConnectionString"/>.
    /// </summary>
    public string OwnerConnectionString => _settings.GetValueOrDefault("Database:MigrationConnectionString") ?? ConnectionString;

    /// <summary>A client signed in as <paramref name="name"/> with the given permissions.</summary>
    public HttpClient CreateClientAs(string name, params string[] permissions)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(name, permissions));
        return client;
    }

    /// <summary>Every permission an <c>/api/</c> endpoint asks for, read from the host's routes: for a caller that may do anything.</summary>
    public string[] ApiPermissions() => [.. Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
        .SelectMany(e => e.Metadata.GetOrderedMetadata<AuthorizationPolicy>())
        .SelectMany(p => p.Requirements.OfType<ClaimsAuthorizationRequirement>())
        .Where(r => r.ClaimType == ModularClaims.Permission)
        .SelectMany(r => r.AllowedValues ?? [])
        .Distinct().Order(StringComparer.Ordinal)];

    /// <summary>A client signed in as a member of <paramref name="tenants"/> (ids or slugs), holding no platform permission.</summary>
    public HttpClient CreateMemberClient(string name, params string[] tenants)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe(name, [], tenants));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Static web assets (_framework/blazor.web.js, _content/MudBlazor/...) are served from the build
        // output's manifest in Development only; tests run from the build output too, in "Testing".
        builder.UseStaticWebAssets();
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }

            if (_realSignIn)
            {
                return;
            }

            services.AddAuthentication(TestSignIn.SchemeName).AddScheme<AuthenticationSchemeOptions, TestSignIn>(TestSignIn.SchemeName, _ => { });
            services.RemoveAll<IMembershipDirectory>().AddSingleton<IMembershipDirectory, TestSignInMemberships>();
            // Cookie schemes named explicitly by endpoints (the admin console's) read the test caller too.
            services.PostConfigureAll<CookieAuthenticationOptions>(options => options.ForwardDefault = TestSignIn.SchemeName);
            services.PostConfigure<AuthenticationOptions>(options =>
            {
                options.DefaultScheme = TestSignIn.SchemeName;
                options.DefaultAuthenticateScheme = TestSignIn.SchemeName;
                options.DefaultChallengeScheme = TestSignIn.SchemeName;
                options.DefaultForbidScheme = TestSignIn.SchemeName;
            });
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Provider == DatabaseProvider.Postgres)
        {
            // Each test has its own database, so its own pools; left idle they would hold their connections for minutes
            // and a busy suite would run the cluster out of max_connections (a 503 for the next test's first write).
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
            NpgsqlConnection.ClearPool(new NpgsqlConnection(OwnerConnectionString));
        }

        if (_sqliteDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // pooled connections hold the files open
            Directory.Delete(_sqliteDirectory, recursive: true);
        }
    }

    private static Dictionary<string, string?> Merge(
        IDictionary<string, string?>? overrides, DatabaseProvider provider, string connectionString, string? migrationConnectionString)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
            ["Database:MigrationConnectionString"] = migrationConnectionString,
            ["Database:MigrateOnStartup"] = "true",
            ["Outbox:PollInterval"] = "00:00:00.200",
            ["RateLimiting:PermitLimit"] = "100000",
            ["Https:Required"] = "false", // the harness talks plain HTTP to the in-memory server or to Kestrel
            ["Shutdown:DrainDelay"] = "00:00:00", // no load balancer to leave: every test host would wait on disposal
        };
        // An RSA key takes a tenth of a second or more to generate: hosts share this process's pair unless a test names its own.
        if (overrides?.Keys.Any(key => key.StartsWith("Identity:SigningKeys", StringComparison.Ordinal) || key.StartsWith("Identity:EncryptionKeys", StringComparison.Ordinal)) != true)
        {
            settings["Identity:SigningKeys:0"] = TokenKeys.Value.Signing;
            settings["Identity:EncryptionKeys:0"] = TokenKeys.Value.Encryption;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The token signing and encryption keys (PEM files) every host of this test process uses, host processes too.</summary>
    public static (string Signing, string Encryption) SharedTokenKeys => TokenKeys.Value;

    /// <summary>One token signing key and one encryption key (PEM files) for every host this test process starts.</summary>
    private static readonly Lazy<(string Signing, string Encryption)> TokenKeys = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("modular-keys-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        string Write(string name)
        {
            using var rsa = RSA.Create(2048);
            var path = Path.Combine(directory, name + ".pem");
            File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
            return path;
        }

        return (Write("signing"), Write("encryption"));
    });
}
