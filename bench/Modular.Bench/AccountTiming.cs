using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;

namespace Modular.Bench;

/// <summary>
/// Whether the account forms' answer times tell who has an account (issue 14, finding 3). The real host (the Release
/// build of Program, Production environment, its own PEM keys, SQLite, a real Kestrel socket on loopback) answers
/// N requests per branch — sign-in as an unknown, unconfirmed or locked account or with a wrong password; register a
/// new or a taken address; forgot-password for a known or an unknown address — sent one at a time, the branches
/// interleaved round by round, and the median of each is printed beside its ratio to the slowest branch of its form.
/// Goal: every branch within 20 % of the others.
/// Run: <c>bench/account-timing.sh [rounds]</c>, or <c>dotnet Modular.Bench.dll account-timing [rounds]</c> from bin/Release/net10.0.
/// </summary>
internal static partial class AccountTiming
{
    private const string Password = "correct-Horse-battery-9";
    private const int WarmUpRounds = 5;

    /// <summary>Time between requests for the mail queue to drain, so its background work lands on no measured request.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(40);

    public static async Task RunAsync(int rounds)
    {
        var work = Directory.CreateTempSubdirectory("modular-account-timing-");
        try
        {
            await using var host = new ProductionHost(work.FullName);
            host.UseKestrel(0);
            host.StartServer();
            await SeedAsync(host);

            var branches = new Branch[]
            {
                new("sign-in", "unknown user", IdentityRoutes.Login, _ => Login("nobody@bench.test", Password)),
                new("sign-in", "unconfirmed", IdentityRoutes.Login, _ => Login("unconfirmed@bench.test", Password)),
                new("sign-in", "locked", IdentityRoutes.Login, _ => Login("locked@bench.test", Password)),
                new("sign-in", "wrong password", IdentityRoutes.Login, _ => Login("known@bench.test", "not-the-Password-1")),
                new("register", "new address", IdentityRoutes.Register, i => Register($"new-{i}@bench.test")),
                new("register", "taken address", IdentityRoutes.Register, _ => Register("known@bench.test")),
                new("forgot-password", "known address", IdentityRoutes.ForgotPassword, _ => [new("email", "known@bench.test")]),
                new("forgot-password", "unknown address", IdentityRoutes.ForgotPassword, i => [new("email", $"nobody-{i}@bench.test")]),
            };
            foreach (var branch in branches)
            {
                await branch.OpenFormAsync(host);
            }

            Console.WriteLine($"account timing: {rounds} requests per branch (after {WarmUpRounds} warm-up rounds), interleaved, one at a time");
            for (var round = 0; round < WarmUpRounds + rounds; round++)
            {
                // A different branch goes first each round, so none always follows the same neighbour.
                for (var k = 0; k < branches.Length; k++)
                {
                    var branch = branches[(round + k) % branches.Length];
                    var elapsed = await branch.PostAsync(round);
                    if (round >= WarmUpRounds)
                    {
                        branch.Times.Add(elapsed.TotalMilliseconds);
                    }

                    await Task.Delay(Pause);
                }
            }

            Report(branches);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private static KeyValuePair<string, string>[] Login(string user, string password) =>
        [new("username", user), new("password", password), new("returnUrl", "/")];

    private static KeyValuePair<string, string>[] Register(string email) =>
        [new("email", email), new("displayName", "Bench"), new("password", Password), new("confirmPassword", Password)];

    private static void Report(Branch[] branches)
    {
        Console.WriteLine($"{"form",-16} {"branch",-16} {"median ms",10} {"vs slowest",11}");
        foreach (var form in branches.GroupBy(b => b.Form))
        {
            var slowest = form.Max(b => b.Median);
            foreach (var branch in form)
            {
                Console.WriteLine($"{form.Key,-16} {branch.Name,-16} {branch.Median,10:0.0} {branch.Median / slowest,11:0.00}");
            }

            var spread = (slowest - form.Min(b => b.Median)) / slowest;
            Console.WriteLine($"{form.Key,-16} {"spread",-16} {spread,21:P0}  {(spread <= 0.20 ? "within" : "OUTSIDE")} the 20 % goal");
        }
    }

    /// <summary>
    /// The accounts each branch meets. The wrong-password account has lockout switched off: otherwise the fifth wrong
    /// password would lock it and turn that branch into the locked one. It still counts its failures, as any account does.
    /// </summary>
    private static async Task SeedAsync(ProductionHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        async Task<User> CreateAsync(string email, bool confirmed)
        {
            var user = new User { UserName = email, Email = email, EmailConfirmed = confirmed, DisplayName = email, CreatedAt = DateTimeOffset.UtcNow };
            Check(await users.CreateAsync(user, Password));
            return user;
        }

        Check(await users.SetLockoutEnabledAsync(await CreateAsync("known@bench.test", confirmed: true), false));
        await CreateAsync("unconfirmed@bench.test", confirmed: false);
        Check(await users.SetLockoutEndDateAsync(await CreateAsync("locked@bench.test", confirmed: true), DateTimeOffset.MaxValue));

        static void Check(IdentityResult result)
        {
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
            }
        }
    }

    /// <summary>One branch: its own browser (cookies, the form's antiforgery token) and its timings.</summary>
    private sealed partial class Branch(string form, string name, string path, Func<int, KeyValuePair<string, string>[]> fields)
    {
        private HttpClient? _browser;
        private string _token = "";

        public string Form => form;

        public string Name => name;

        public List<double> Times { get; } = [];

        public double Median => Times.Order().ElementAt(Times.Count / 2);

        public async Task OpenFormAsync(ProductionHost host)
        {
            var address = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            _browser = host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(address), AllowAutoRedirect = false, HandleCookies = true });
            var page = await _browser.GetStringAsync(path);
            _token = WebUtility.HtmlDecode(TokenPattern().Match(page).Groups[1].Value);
        }

        public async Task<TimeSpan> PostAsync(int round)
        {
            using var body = new FormUrlEncodedContent([new("__RequestVerificationToken", _token), .. fields(round)]);
            var started = Stopwatch.GetTimestamp();
            using var response = await _browser!.PostAsync(path, body);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started);
            var expected = form == "sign-in" ? HttpStatusCode.BadRequest : HttpStatusCode.OK;
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"{form} ({name}) answered {(int)response.StatusCode}, not {(int)expected}: is a rate limit in the way?");
            }

            return elapsed;
        }

        [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]*)\"")]
        private static partial Regex TokenPattern();
    }

    /// <summary>The real host as production runs it: Production environment, PEM keys from files, no development shortcuts.</summary>
    private sealed class ProductionHost(string directory) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            var settings = new Dictionary<string, string>
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(directory, "bench-{module}.db")}",
                ["Database:MigrateOnStartup"] = "true", // production runs --migrate; one step less for a throwaway database
                ["Identity:SigningKeys:0"] = Pem(directory, "signing.pem"),
                ["Identity:EncryptionKeys:0"] = Pem(directory, "encryption.pem"),
                ["RateLimiting:PermitLimit"] = "100000000",
                ["Logging:LogLevel:Default"] = "Error", // a fresh database's migrations log warnings
            };
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }

        private static string Pem(string directory, string name)
        {
            var path = Path.Combine(directory, name);
            using var rsa = RSA.Create(2048);
            File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
            return path;
        }
    }
}
