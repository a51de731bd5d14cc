using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Modular.Identity.Contracts;
using Modular.Identity.Federation;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// A tenant's admin connects the tenant's own OpenID provider (issue 17): the connection is checked against the real
/// provider before it is saved, its secret never comes back, its domains route sign-ins only once verified, and no other
/// tenant can see, use or take them.
/// </summary>
public sealed class SsoConnectionTests(PostgresServer postgres, UpstreamIdentityProvider upstream) : IClassFixture<UpstreamIdentityProvider>
{
    private const string Secret = "upstream-secret-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Tests reach the provider on loopback, over http, and do not wait long for a silent one.</summary>
    public static Dictionary<string, string?> FederationSettings() => new()
    {
        ["Identity:Federation:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Identity:Federation:AllowHttpIssuers"] = "true",
        ["Identity:Federation:Timeout"] = "00:00:02",
    };

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_tenant_admin_connects_its_provider_and_claims_a_domain_that_routes_only_once_verified(DatabaseProvider provider)
    {
        var dns = new PublishedRecords();
        await using var world = await TenantWorld.StartAsync(provider, postgres, s => s.Replace(ServiceDescriptor.Singleton<IDomainOwnershipVerifier>(dns)), FederationSettings());
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);

        var created = await admin.PostAsJsonAsync(IdentityRoutes.SsoConnections, Connection(groupRoles: new() { ["engineers"] = IdentityRoles.TenantAdmin }), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var raw = await created.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(Secret, raw, StringComparison.Ordinal);
        var connection = JsonSerializer.Deserialize<SsoConnectionDto>(raw, JsonSerializerOptions.Web)!;
        Assert.True(connection.HasSecret);
        Assert.Equal(["email", "profile"], connection.Scopes);
        Assert.NotNull(connection.LastTestedAt);

        var claimed = await admin.PostAsJsonAsync(IdentityRoutes.SsoDomains(connection.Id), new { domain = "Acme.Example." }, Ct);
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        var domain = (await claimed.Content.ReadFromJsonAsync<SsoDomainDto>(Ct))!;
        Assert.Equal(("acme.example", "_modular-verify.acme.example", false), (domain.Domain, domain.RecordName, domain.Verified));
        Assert.Null(await RouteAsync(world, "zoe@acme.example"));

        // Verified by its DNS record once published; an operator's vouching is not the tenant admin's to give.
        (await (await admin.PostAsync(IdentityRoutes.VerifySsoDomain(connection.Id, domain.Id), null, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("domain");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync(IdentityRoutes.ConfirmSsoDomain(connection.Id, domain.Id), null, Ct)).StatusCode);
        dns.Publish(domain.RecordName, domain.RecordValue);
        var verified = await admin.PostAsync(IdentityRoutes.VerifySsoDomain(connection.Id, domain.Id), null, Ct);
        Assert.True((await verified.Content.ReadFromJsonAsync<SsoDomainDto>(Ct))!.Verified);
        Assert.Equal(connection.Id, (await RouteAsync(world, "zoe@ACME.example"))?.ConnectionId);

        // Another tenant sees none of it, cannot claim the verified domain, and a member without the permission is refused.
        var globex = world.As(world.Gus, world.Globex, IdentityRoles.TenantAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync(IdentityRoutes.SsoConnection(connection.Id), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.DeleteAsync(IdentityRoutes.SsoConnection(connection.Id), Ct)).StatusCode);
        Assert.Empty((await globex.GetFromJsonAsync<List<SsoConnectionDto>>(IdentityRoutes.SsoConnections, Ct))!);
        var theirs = (await (await globex.PostAsJsonAsync(IdentityRoutes.SsoConnections, Connection(), Ct)).Content.ReadFromJsonAsync<SsoConnectionDto>(Ct))!;
        (await (await globex.PostAsJsonAsync(IdentityRoutes.SsoDomains(theirs.Id), new { domain = "acme.example" }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("domain");
        Assert.Equal(HttpStatusCode.Forbidden, (await world.As(world.Mia, world.Acme, IdentityRoles.Member).GetAsync(IdentityRoutes.SsoConnections, Ct)).StatusCode);

        // An operator may vouch for a claim (another domain of acme's), and the connection's own test fetches discovery again.
        var operatorClient = world.Host.CreateClientAs("operator", world.Host.ApiPermissions());
        operatorClient.DefaultRequestHeaders.Add("X-Tenant", "acme");
        var second = (await (await admin.PostAsJsonAsync(IdentityRoutes.SsoDomains(connection.Id), new { domain = "acme-labs.example" }, Ct)).Content.ReadFromJsonAsync<SsoDomainDto>(Ct))!;
        Assert.True((await (await operatorClient.PostAsync(IdentityRoutes.ConfirmSsoDomain(connection.Id, second.Id), null, Ct)).Content.ReadFromJsonAsync<SsoDomainDto>(Ct))!.Verified);
        var tested = await (await admin.PostAsync(IdentityRoutes.TestSsoConnection(connection.Id), null, Ct)).Content.ReadFromJsonAsync<SsoConnectionTestResult>(Ct);
        Assert.True(tested!.Succeeded, tested.Error);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(IdentityRoutes.SsoConnection(connection.Id), Ct)).StatusCode);
        Assert.Null(await RouteAsync(world, "zoe@acme.example"));
        Assert.Equal(["sso.connection.created", "sso.domain.claimed", "sso.domain.verified", "sso.domain.claimed", "sso.domain.verified", "sso.connection.deleted"],
            await world.AuditActionsAsync(world.Acme, $"sso:{connection.Id}"));
    }

    [Fact]
    public async Task Bad_issuers_domains_and_mappings_are_refused_naming_the_field_and_nothing_is_saved()
    {
        await using var world = await TenantWorld.StartAsync(DatabaseProvider.Sqlite, postgres, settings: FederationSettings());
        var admin = world.As(world.Adam, world.Acme, IdentityRoles.TenantAdmin);

        async Task RefusedAsync(object body, string field, HttpStatusCode status = HttpStatusCode.BadRequest, string type = ProblemTypes.Validation)
        {
            var problem = await (await admin.PostAsJsonAsync(IdentityRoutes.SsoConnections, body, Ct)).AssertProblemAsync(status, type);
            if (status == HttpStatusCode.BadRequest)
            {
                problem.AssertNamesField(field);
            }
        }

        await RefusedAsync(Connection(issuer: "not a url"), "issuer");
        await RefusedAsync(Connection(issuer: "http://10.1.2.3/"), "issuer"); // a private address, though loopback is allowed here
        await RefusedAsync(Connection(issuer: "http://169.254.169.254/"), "issuer");
        await RefusedAsync(Connection(issuer: upstream.Issuer + "?tenant=1"), "issuer");
        await RefusedAsync(Connection(issuer: "http://127.0.0.1:9/"), "issuer"); // nothing listens: discovery fails
        await RefusedAsync(Connection(issuer: upstream.HugeIssuer.ToString()), "issuer");
        await RefusedAsync(Connection(issuer: upstream.SlowIssuer.ToString()), "issuer");
        await upstream.SetLyingDiscoveryAsync(true);
        try
        {
            await RefusedAsync(Connection(), "issuer");
        }
        finally
        {
            await upstream.SetLyingDiscoveryAsync(false);
        }

        await RefusedAsync(Connection(secret: null), "clientSecret");
        await RefusedAsync(Connection(name: new string('n', 101)), "name");
        await RefusedAsync(Connection(groupRoles: new() { ["engineers"] = "no-such-role" }), "claimMapping.groupRoles.engineers");
        await RefusedAsync(Connection(groupRoles: new() { ["admins"] = IdentityRoles.PlatformAdmin }), "claimMapping.groupRoles.admins");
        // Mapping a group to owner would make owners, which an admin may not: nobody grants what they do not hold.
        await RefusedAsync(Connection(groupRoles: new() { ["bosses"] = IdentityRoles.Owner }), "", HttpStatusCode.Forbidden, ProblemTypes.GrantNotHeld);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(IdentityRoutes.SsoConnections, new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"), Ct)).StatusCode);
        Assert.Empty((await admin.GetFromJsonAsync<List<SsoConnectionDto>>(IdentityRoutes.SsoConnections, Ct))!);

        var connection = (await (await admin.PostAsJsonAsync(IdentityRoutes.SsoConnections, Connection(), Ct)).Content.ReadFromJsonAsync<SsoConnectionDto>(Ct))!;
        foreach (var domain in new[] { "not a domain", "", "192.168.0.1", "-acme.example", "localhost", new string('a', 64) + ".example" })
        {
            (await (await admin.PostAsJsonAsync(IdentityRoutes.SsoDomains(connection.Id), new { domain }, Ct))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("domain");
        }

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync(IdentityRoutes.SsoDomains(connection.Id), new { domain = "acme.example" }, Ct)).StatusCode);
        (await (await admin.PostAsJsonAsync(IdentityRoutes.SsoDomains(connection.Id), new { domain = "ACME.example" }, Ct))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("domain");
        Assert.Single((await admin.GetFromJsonAsync<SsoConnectionDto>(IdentityRoutes.SsoConnection(connection.Id), Ct))!.Domains);
    }

    public object Connection(
        string? issuer = null, string? secret = Secret, string name = "Acme Okta", Dictionary<string, string>? groupRoles = null) => new
        {
            name,
            issuer = issuer ?? upstream.Issuer.ToString(),
            clientId = "modular",
            clientSecret = secret,
            claimMapping = new { email = "email", name = "name", groups = "groups", groupRoles = groupRoles ?? [] },
        };

    private static async Task<SsoDirectory.Route?> RouteAsync(TenantWorld world, string email) =>
        await world.Host.Services.GetRequiredService<SsoDirectory>().FindAsync(email, Ct);

    /// <summary>The DNS the tests publish TXT records in.</summary>
    private sealed class PublishedRecords : IDomainOwnershipVerifier
    {
        private readonly HashSet<(string, string)> _records = [];

        public void Publish(string name, string value)
        {
            lock (_records)
            {
                _records.Add((name, value));
            }
        }

        public Task<bool> HasRecordAsync(string name, string value, CancellationToken cancellationToken)
        {
            lock (_records)
            {
                return Task.FromResult(_records.Contains((name, value)));
            }
        }
    }
}
