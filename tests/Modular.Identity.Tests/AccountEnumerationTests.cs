using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Account;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Email;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;

namespace Modular.Identity.Tests;

/// <summary>
/// How long an answer takes must not tell who has an account (issue 14, finding 3). Asserted as the work each
/// branch does, never as time (bench/account-timing.sh measures that): every failed sign-in checks a password hash
/// whatever the account, registering a taken address hashes the password as a new one does, and account emails
/// leave after the answer, so a known address costs the request no more than an unknown one.
/// </summary>
public sealed class AccountEnumerationTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_failed_sign_in_checks_one_password_hash_whatever_the_account()
    {
        var hasher = new CountingHasher();
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, services: hasher.Register);
        await CreateUserAsync(oidc, "unconfirmed@example.com", confirmed: false, locked: false);
        await CreateUserAsync(oidc, "locked@example.com", confirmed: true, locked: true);

        // A locked account with its right password (Identity refuses it before checking it), an unconfirmed one with a
        // wrong password: the same answer as for no account at all.
        foreach (var (user, password) in new[]
                 {
                     ("nobody@example.com", OidcHost.Password), ("unconfirmed@example.com", "not-the-password-1"),
                     ("locked@example.com", OidcHost.Password), ("alice@example.com", "not-Alices-password-1"),
                 })
        {
            var before = hasher.Verified;
            var refused = await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, user, password);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(WebUtility.HtmlEncode(AccountEndpoints.FailedSignIn), await refused.TextAsync());
            Assert.True(hasher.Verified - before == 1, $"signing in as {user} checked {hasher.Verified - before} password hashes, not one");
        }

        // Only the right password learns that the address awaits confirmation, after the same one check.
        var checkedBefore = hasher.Verified;
        var unconfirmed = await OidcHost.SignInAsync(oidc.Browser(), IdentityRoutes.Login, "unconfirmed@example.com", OidcHost.Password);
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(AccountEndpoints.ConfirmEmailFirst), await unconfirmed.TextAsync());
        Assert.Equal(1, hasher.Verified - checkedBefore);
    }

    [Fact]
    public async Task Registering_a_taken_address_hashes_the_password_as_a_new_one_does()
    {
        var hasher = new CountingHasher();
        await using var oidc = await OidcHost.StartAsync(DatabaseProvider.Postgres, postgres, services: hasher.Register);

        foreach (var email in new[] { "alice@example.com", "newcomer@example.com" })
        {
            var before = hasher.Hashed;
            var answered = await AccountFlows.RegisterAsync(oidc.Browser(), email);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.True(hasher.Hashed - before == 1, $"registering {email} hashed {hasher.Hashed - before} passwords, not one");
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Account_emails_are_delivered_after_the_answer_not_during_it(DatabaseProvider provider)
    {
        var gate = new DeliveryGate();
        await using var oidc = await OidcHost.StartAsync(provider, postgres, services: gate.Register);
        await CreateUserAsync(oidc, "unconfirmed@example.com", confirmed: false, locked: false);
        try
        {
            // Each of these mails someone; the delivery is held until every answer is in.
            (string Page, (string, string)[] Fields)[] requests =
            [
                (IdentityRoutes.ForgotPassword, [("email", "alice@example.com")]),
                (IdentityRoutes.ResendConfirmation, [("email", "unconfirmed@example.com")]),
                (IdentityRoutes.Register, [("email", "newcomer@example.com"), ("password", OidcHost.Password), ("confirmPassword", OidcHost.Password)]),
            ];
            foreach (var (page, fields) in requests)
            {
                // Bounded only so that an answer waiting for the held delivery fails the test instead of hanging it.
                var answered = await AccountFlows.PostAsync(oidc.Browser(), page, page, fields).WaitAsync(TimeSpan.FromSeconds(30), Ct);
                Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            }

            Assert.Equal(0, gate.Delivered);
            gate.Open();
            await AccountFlows.EmailsSentAsync(oidc);
            Assert.Equal(["alice@example.com", "newcomer@example.com", "unconfirmed@example.com"], (await LoggedEmailsAsync(oidc)).Order(StringComparer.Ordinal));
        }
        finally
        {
            gate.Open();
        }
    }

    private static async Task<List<string>> LoggedEmailsAsync(OidcHost oidc)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().OutgoingEmails.AsNoTracking()
            .Where(e => e.Status == OutgoingEmailStatus.Logged).Select(e => e.To).ToListAsync(Ct);
    }

    private static async Task CreateUserAsync(OidcHost oidc, string email, bool confirmed, bool locked)
    {
        await using var scope = oidc.Host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = email, Email = email, EmailConfirmed = confirmed, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(user, OidcHost.Password)).Succeeded);
        if (locked)
        {
            Assert.True((await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue)).Succeeded);
        }
    }

    /// <summary>The registered password hasher, counting how often it hashes and verifies.</summary>
    private sealed class CountingHasher
    {
        private int _hashed;
        private int _verified;

        public int Hashed => Volatile.Read(ref _hashed);

        public int Verified => Volatile.Read(ref _verified);

        public void Register(IServiceCollection services) =>
            services.AddScoped<IPasswordHasher<User>>(sp => new Counting(ActivatorUtilities.CreateInstance<PasswordHasher<User>>(sp), this));

        private sealed class Counting(PasswordHasher<User> inner, CountingHasher counts) : IPasswordHasher<User>
        {
            public string HashPassword(User user, string password)
            {
                Interlocked.Increment(ref counts._hashed);
                return inner.HashPassword(user, password);
            }

            public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
            {
                Interlocked.Increment(ref counts._verified);
                return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
            }
        }
    }

    /// <summary>Holds every email delivery (the log delivery, as configured) until opened.</summary>
    private sealed class DeliveryGate
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _delivered;

        public int Delivered => Volatile.Read(ref _delivered);

        public void Open() => _open.TrySetResult();

        public void Register(IServiceCollection services) =>
            services.AddSingleton<IEmailDelivery>(sp => new Gated(ActivatorUtilities.CreateInstance<LogEmailDelivery>(sp), this));

        private sealed class Gated(LogEmailDelivery inner, DeliveryGate gate) : IEmailDelivery
        {
            public async Task DeliverAsync(OutgoingEmail email, CancellationToken cancellationToken)
            {
                await gate._open.Task.WaitAsync(cancellationToken);
                await inner.DeliverAsync(email, cancellationToken);
                Interlocked.Increment(ref gate._delivered);
            }
        }
    }
}
