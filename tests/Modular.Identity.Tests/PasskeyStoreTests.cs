using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Domain;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// Identity's own passkey store on this module's schema (<c>user_passkeys</c>, mapped by hand): a credential is kept
/// with its data, found by its id, belongs to one user, and goes with its user.
/// </summary>
public sealed class PasskeyStoreTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_passkey_is_stored_found_by_its_credential_id_and_removed_with_its_user(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres);
        using var scope = host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        Assert.True(users.SupportsUserPasskey);
        var alice = await CreateUserAsync(users, "alice@example.com");
        var bob = await CreateUserAsync(users, "bob@example.com");
        byte[] credential = [1, 2, 3, 4, 5, 6, 7, 8];
        var passkey = new UserPasskeyInfo(credential, [9, 9, 9], DateTimeOffset.UtcNow, signCount: 7, ["internal"],
            isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [1], clientDataJson: [2])
        { Name = "Laptop" };

        Assert.True((await users.AddOrUpdatePasskeyAsync(alice, passkey)).Succeeded);

        var stored = Assert.Single(await users.GetPasskeysAsync(alice));
        Assert.Equal(("Laptop", 7u), (stored.Name, stored.SignCount));
        Assert.Equal([9, 9, 9], stored.PublicKey);
        Assert.Equal(alice.Id, (await users.FindByPasskeyIdAsync(credential))?.Id);
        Assert.Empty(await users.GetPasskeysAsync(bob));
        Assert.Null(await users.GetPasskeyAsync(bob, credential));

        Assert.True((await users.DeleteAsync(alice)).Succeeded);
        Assert.Null(await users.FindByPasskeyIdAsync(credential));
    }

    private static async Task<User> CreateUserAsync(UserManager<User> users, string email)
    {
        var user = new User { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        return user;
    }
}
