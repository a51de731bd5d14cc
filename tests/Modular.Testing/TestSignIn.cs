using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Testing;

/// <summary>
/// Sign-in for tests until the identity module issues real tokens: the caller is described by the
/// <c>X-Test-User</c> header (API tests) or the <c>test-user</c> cookie (browser tests), as
/// <c>name|permission,permission|tenant,tenant</c> (tenants by id or slug; the first is the
/// default). Without either, the caller is anonymous.
/// </summary>
public sealed class TestSignIn(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string Header = "X-Test-User";
    public const string Cookie = "test-user";

    /// <summary>The header/cookie value for a caller.</summary>
    public static string Describe(string name, IEnumerable<string>? permissions = null, params string[] tenants) =>
        $"{name}|{string.Join(',', permissions ?? [])}|{string.Join(',', tenants)}";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? description = Request.Headers[Header];
        description ??= Request.Cookies[Cookie] is { } cookie ? Uri.UnescapeDataString(cookie) : null;
        if (string.IsNullOrEmpty(description))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var parts = description.Split('|');
        var claims = new List<Claim> { new(ClaimTypes.Name, parts[0]), new("sub", parts[0]) };
        if (parts.Length > 1)
        {
            claims.AddRange(parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => new Claim(ModularClaims.Permission, p)));
        }

        if (parts.Length > 2)
        {
            claims.AddRange(parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => new Claim(ModularClaims.Tenant, t)));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}

/// <summary>
/// Membership as <see cref="TestSignIn"/> describes it. Its callers are synthetic (a name, permissions, tenant claims)
/// with no stored user or client behind them, so the identity module's directory would find none and every tenant
/// request would be refused. Tenant resolution has already matched the caller's <c>tenant</c> claims when it asks;
/// here they are the whole truth. Hosts that sign in for real (<see cref="ModularHost.WithRealSignIn"/>) keep the
/// identity module's directory, and the tests of membership itself run there.
/// </summary>
internal sealed class TestSignInMemberships : IMembershipDirectory
{
    public ValueTask<bool> IsMemberAsync(ClaimsPrincipal caller, TenantInfo tenant, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
