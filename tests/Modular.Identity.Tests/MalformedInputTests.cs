using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Identity.Tests;

/// <summary>Input that answered 500 on PostgreSQL (issue 14), each sent as an attacker would, and the answer it gets now.</summary>
public sealed class MalformedInputTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_return_url_with_a_control_character_sends_the_signed_in_user_home()
    {
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres);

        // Browsers drop tabs and line breaks from URLs: "/\t/evil.example" is "//evil.example", another origin.
        foreach (var returnUrl in new[] { "/\t/evil.example", "/\r\n/evil.example", "/\\\t/evil.example", "/\u007f/evil.example" })
        {
            var signedIn = await OidcHost.SignInAsync(oidc.Browser(), $"{IdentityRoutes.Login}?returnUrl=" + Uri.EscapeDataString(returnUrl), "alice@example.com", OidcHost.Password);

            Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"{returnUrl}: {signedIn.StatusCode}");
            Assert.Equal(IdentityRoutes.Manage, signedIn.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task Management_input_that_used_to_fail_is_refused_naming_the_field_or_stored_as_the_same_instant()
    {
        await using var host = await ModularHost.OnPostgresAsync(postgres);
        var api = host.CreateClientAs("operator", IdentityPermissions.ClientsManage, IdentityPermissions.UsersRead, IdentityPermissions.UsersManage, TenantsPermissions.Read);

        (await (await api.GetAsync($"{IdentityRoutes.Users}?search=a%00b", Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation))
            .AssertNamesField("search");
        var client = await api.PostAsJsonAsync(IdentityRoutes.Clients, new
        {
            clientId = "billing-sync",
            type = "confidential",
            grantTypes = (string[]?)null,
            scopes = new[] { "api" },
        }, Ct);
        (await client.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField("grantTypes");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(IdentityRoutes.Client("billing-sync"), Ct)).StatusCode);

        // A time with an offset is a valid instant: PostgreSQL keeps it in UTC.
        var carol = await CreateUserAsync(host, "carol@example.com");
        var until = new DateTimeOffset(2099, 1, 1, 12, 0, 0, TimeSpan.FromHours(5.5));
        var locked = await api.PostAsJsonAsync(IdentityRoutes.LockUser(carol), new { until }, Ct);
        Assert.True(locked.IsSuccessStatusCode, await locked.Content.ReadAsStringAsync(Ct));
        Assert.Equal(until, (await api.GetFromJsonAsync<UserDto>(IdentityRoutes.User(carol), Ct))!.LockedOutUntil);
    }

    private static async Task<Guid> CreateUserAsync(ModularHost host, string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], CreatedAt = DateTimeOffset.UtcNow };
        var result = await users.CreateAsync(user, OidcHost.Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        return user.Id;
    }
}
