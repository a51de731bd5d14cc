using System.Text.RegularExpressions;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Modular.Identity.Contracts;
using Modular.Kernel.Tenancy;
using Modular.Tenants.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Modular.Admin.Tests;

/// <summary>
/// Issue 17's "done when": a person of tenant A signs in through A's own identity provider (a real one: panva's
/// oidc-provider), in Chromium, from the organization area; lands in it with a session for A; and cannot get one for B.
/// </summary>
public sealed class FederatedSignInTests(FederatedSignInTests.Platform console, UpstreamIdentityProvider upstream)
    : IClassFixture<FederatedSignInTests.Platform>, IClassFixture<UpstreamIdentityProvider>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_person_of_tenant_A_signs_in_through_As_provider_lands_in_A_and_cannot_reach_B()
    {
        var acme = await SendAsync(null, new CreateTenant("acme-sso", "Acme SSO"));
        var globex = await SendAsync(null, new CreateTenant("globex-sso", "Globex SSO"));
        var (clientId, secret) = await upstream.RegisterClientAsync(new Uri(console.BaseAddress, "account/external/callback"), Ct);
        var connection = await SendAsync(acme, new CreateSsoConnection
        {
            Name = "Acme's provider",
            Issuer = upstream.Issuer.ToString(),
            ClientId = clientId,
            ClientSecret = secret,
            Scopes = ["email", "profile", "groups"],
            ClaimMapping = new SsoClaimMapping { GroupRoles = new Dictionary<string, string> { ["it-admins"] = IdentityRoles.TenantAdmin } },
        });
        var domain = await SendAsync(acme, new AddSsoDomain(connection.Id, "acme-sso.example"));
        await SendAsync(acme, new ConfirmSsoDomain(connection.Id, domain.Id));
        await upstream.SetAccountAsync("dana@acme-sso.example", "dana@acme-sso.example", emailVerified: true, "Dana Scully", ["it-admins"]);

        await using var browser = await console.OpenAsync(user: null);
        var page = browser.Page;
        await page.GotoAsync("/org");
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(IdentityRoutes.Login) + "\\?"));
        await page.GetByLabel("User name or email").FillAsync("dana@acme-sso.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        // At the organisation's provider (its own login form, the address passed on as a hint), then back.
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(upstream.Issuer.GetLeftPart(UriPartial.Authority)) + "/interaction/"));
        await Expect(page.Locator("input[name=login]")).ToHaveValueAsync("dana@acme-sso.example");
        await page.Locator("input[name=password]").FillAsync("whatever the provider checks");
        await page.Locator("button.login-submit").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/org$"));
        await browser.WaitUntilInteractiveAsync();
        await Expect(page.GetByTestId("organization")).ToHaveTextAsync("acme-sso");
        await Expect(page.GetByTestId("your-roles")).ToContainTextAsync(IdentityRoles.TenantAdmin);

        // A session for the other tenant is refused by the provider: Dana has no membership there.
        var refused = await page.GotoAsync($"/admin/signin?tenant={globex.Id}&returnUrl=/org");
        Assert.Equal(400, refused?.Status);
        Assert.Contains("error=access_denied", page.Url, StringComparison.Ordinal);
        await page.GotoAsync("/org");
        await browser.WaitUntilInteractiveAsync();
        await Expect(page.GetByTestId("organization")).ToHaveTextAsync("acme-sso");
        // Our pages logged nothing; the provider's login page asks for a web font (no internet here), and the refusal above is a 400 on purpose.
        var ours = browser.Errors.Where(e => !e.Contains("fonts.googleapis.com", StringComparison.Ordinal) && !e.Contains("error=access_denied", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count == 0, string.Join(" | ", ours));
    }

    /// <summary>As the platform's own code would: through the mediator, in <paramref name="tenant"/>'s scope (or across tenants).</summary>
    private async Task<T> SendAsync<T>(TenantDto? tenant, ICommand<T> command)
    {
        await using var scope = console.Host.Services.CreateAsyncScope();
        var tenantScope = scope.ServiceProvider.GetRequiredService<TenantScope>();
        if (tenant is null)
        {
            tenantScope.EnterAllTenants();
        }
        else
        {
            tenantScope.Enter(new TenantInfo(tenant.Id, tenant.Slug, tenant.Plan, IsSuspended: false));
        }

        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, Ct);
    }

    /// <summary>The console with real sign-in, allowed to reach the upstream provider on loopback over http.</summary>
    public sealed class Platform : OidcConsoleFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Identity:Federation:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Identity:Federation:AllowHttpIssuers"] = "true",
        };
    }
}
