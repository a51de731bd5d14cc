using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// An operator creates an account, mails a password link, vouches for an address: the account's owner finishes what the
/// operator began from the mailed link, and the endpoints refuse bad input, strangers and unknown users.
/// </summary>
public sealed class UserAdministrationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_account_an_operator_creates_is_finished_by_its_owner_from_the_mailed_link(DatabaseProvider provider)
    {
        // Outside a request (as here, and as a job would), links point at the configured issuer.
        await using var oidc = await OidcHost.StartAsync(provider, postgres, new() { ["Identity:Issuer"] = "http://localhost/" });
        var created = await oidc.SendAsync(new CreateUser(" newcomer@example.com ", "New Comer"));
        Assert.Equal(("newcomer@example.com", "New Comer", false), (created.Email, created.DisplayName, created.EmailConfirmed));
        await using (var scope = oidc.Host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            Assert.False(await users.HasPasswordAsync((await users.FindByIdAsync(created.Id.ToString()))!)); // nobody typed one for them
        }

        var browser = oidc.Browser();
        var link = await AccountFlows.LinkInLatestEmailAsync(oidc, "newcomer@example.com", OutgoingEmailKinds.PasswordReset);
        var fields = OidcHost.HiddenFields(await (await browser.GetAsync(link, Ct)).TextAsync());
        var chosen = await browser.PostAsync(IdentityRoutes.ResetPassword,
            new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["password"] = AccountFlows.NewPassword, ["confirmPassword"] = AccountFlows.NewPassword }), Ct);
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await OidcHost.SignInAsync(browser, IdentityRoutes.Login, "newcomer@example.com", AccountFlows.NewPassword)).StatusCode);
        Assert.True((await oidc.SendAsync(new GetUser(created.Id))).EmailConfirmed); // the link came by mail: whoever used it owns the address

        // One account per address, whatever its case.
        await Assert.ThrowsAsync<ConflictException>(() => oidc.SendAsync(new CreateUser("NewComer@example.com")));
    }

    [Fact]
    public async Task The_last_platform_admin_who_can_sign_in_cannot_be_locked()
    {
        await using var host = ModularHost.OnSqlite();
        var api = host.CreateClientAs("operator", IdentityPermissions.UsersRead, IdentityPermissions.UsersManage);
        Guid first, second;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            (first, second) = (await AdminAsync(users, "first-admin@example.com"), await AdminAsync(users, "second-admin@example.com"));
        }

        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"{IdentityRoutes.Users}/{first}/lock", new { }, Ct)).StatusCode);
        var refused = await (await api.PostAsJsonAsync($"{IdentityRoutes.Users}/{second}/lock", new { }, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);
        Assert.Contains("last platform admin", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null((await api.GetFromJsonAsync<UserDto>($"{IdentityRoutes.Users}/{second}", Ct))!.LockedOutUntil);

        // Once another can sign in again, this one may be locked.
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"{IdentityRoutes.Users}/{first}/unlock", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"{IdentityRoutes.Users}/{second}/lock", new { }, Ct)).StatusCode);

        static async Task<Guid> AdminAsync(UserManager<User> users, string email)
        {
            var admin = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
            Assert.True((await users.CreateAsync(admin)).Succeeded);
            Assert.True((await users.AddToRoleAsync(admin, IdentityRoles.PlatformAdmin)).Succeeded);
            return admin.Id;
        }
    }

    [Fact]
    public async Task The_user_endpoints_refuse_bad_input_strangers_and_unknown_users_and_change_nothing()
    {
        await using var host = ModularHost.OnSqlite();
        var api = host.CreateClientAs("operator", IdentityPermissions.UsersRead, IdentityPermissions.UsersManage);
        var reader = host.CreateClientAs("reader", IdentityPermissions.UsersRead);

        foreach (var (body, field) in new (object, string)[]
        {
            (new { displayName = "No Address" }, "email"),
            (new { email = "not-an-address" }, "email"),
            (new { email = "long@example.com", displayName = new string('n', User.DisplayNameMaxLength + 1) }, "displayName"),
        })
        {
            (await (await api.PostAsJsonAsync(IdentityRoutes.Users, body, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation)).AssertNamesField(field);
        }

        using var garbage = new StringContent("{\"email\": [", Encoding.UTF8, "application/json");
        await (await api.PostAsync(IdentityRoutes.Users, garbage, Ct)).AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.MalformedRequest);
        await (await reader.PostAsJsonAsync(IdentityRoutes.Users, new { email = "sneaky@example.com" }, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
        Assert.Equal(0, (await api.GetFromJsonAsync<UserPage>(IdentityRoutes.Users, Ct))!.Total);

        var created = await api.PostAsJsonAsync(IdentityRoutes.Users, new { email = "quiet@example.com", invite = false }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = (await created.Content.ReadFromJsonAsync<UserDto>(Ct))!;
        Assert.Equal($"/api/v1/identity/users/{user.Id}", created.Headers.Location?.OriginalString);
        await (await api.PostAsJsonAsync(IdentityRoutes.Users, new { email = "quiet@example.com" }, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, ProblemTypes.Conflict);

        foreach (var action in new[] { "password-reset", "confirm-email" })
        {
            await (await reader.PostAsync($"{IdentityRoutes.Users}/{user.Id}/{action}", null, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, ProblemTypes.Forbidden);
            await (await api.PostAsync($"{IdentityRoutes.Users}/{Guid.NewGuid()}/{action}", null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, ProblemTypes.NotFound);
        }

        Assert.False((await api.GetFromJsonAsync<UserDto>($"{IdentityRoutes.Users}/{user.Id}", Ct))!.EmailConfirmed);
        var confirmed = await api.PostAsync($"{IdentityRoutes.Users}/{user.Id}/confirm-email", null, Ct);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.True((await confirmed.Content.ReadFromJsonAsync<UserDto>(Ct))!.EmailConfirmed);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"{IdentityRoutes.Users}/{user.Id}/password-reset", null, Ct)).StatusCode);
    }
}
