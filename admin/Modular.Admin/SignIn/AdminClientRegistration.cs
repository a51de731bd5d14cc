using Mediator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Modular.Identity.Contracts;
using OpenIddict.Client;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Modular.Admin.SignIn;

/// <summary>
/// Where the console's provider is and what the provider knows of the console. Both hang on the host's
/// public address, which is configuration in production (<c>AdminConsole:Authority</c> or
/// <c>Identity:Issuer</c>) and, in development and tests, whatever address Kestrel bound: so the client is
/// registered at the provider once the host listens, and the OpenIddict client is configured on first use
/// (the first sign-in), which is later still.
/// </summary>
internal sealed partial class AdminClientRegistration(
    IServer server, IConfiguration configuration, IOptions<AdminSignInSettings> settings, IServiceScopeFactory scopes, ILogger<AdminClientRegistration> logger)
    : IConfigureOptions<OpenIddictClientOptions>, IHostedLifecycleService
{
    public void Configure(OpenIddictClientOptions options) => options.Registrations.Add(new OpenIddictClientRegistration
    {
        RegistrationId = AdminSignIn.ClientId,
        Issuer = Authority(),
        ClientId = AdminSignIn.ClientId,
        RedirectUri = new Uri(AdminSignIn.CallbackPath[1..], UriKind.Relative),
        PostLogoutRedirectUri = new Uri(AdminSignIn.SignedOutPath[1..], UriKind.Relative),
        Scopes = { Scopes.Profile, Scopes.Email, Scopes.Roles },
    });

    /// <summary>Registers the console as a first-party client for every address it is reached at.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var origins = Origins().ToList();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(
                new RegisterFirstPartyClient(
                    AdminSignIn.ClientId,
                    "Modular admin console",
                    [.. origins.Select(o => new Uri(o, AdminSignIn.CallbackPath).AbsoluteUri)],
                    [.. origins.Select(o => new Uri(o, AdminSignIn.SignedOutPath).AbsoluteUri)]),
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRegistrationFailed(logger, e); // typically an unmigrated database: the console cannot sign in until the next start
        }
    }

    private Uri Authority() =>
        settings.Value.Authority
        ?? (configuration["Identity:Issuer"] is { Length: > 0 } issuer ? new Uri(issuer, UriKind.Absolute) : Origins().First());

    private IEnumerable<Uri> Origins()
    {
        if (settings.Value.Authority is { } authority)
        {
            yield return authority;
        }

        if (configuration["Identity:Issuer"] is { Length: > 0 } issuer)
        {
            yield return new Uri(issuer, UriKind.Absolute);
        }

        // Kestrel's bound addresses; a wildcard host is reached as localhost.
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal))
            { Path = "/" };
            yield return uri.Uri;
        }

        yield return new Uri("http://localhost/");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "The admin console could not register itself at the OpenID provider; operators cannot sign in to it")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception);
}
