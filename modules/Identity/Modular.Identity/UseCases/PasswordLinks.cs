using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Account;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;

namespace Modular.Identity.UseCases;

/// <summary>
/// An operator's "choose a password" mail: the self-service reset link, sent for a user instead of asked for by them.
/// Public for the handlers' constructors, built by a factory (its parts are the module's own).
/// </summary>
public sealed class PasswordLinks
{
    private readonly AccountEmails _mails;
    private readonly IdentitySettings _settings;
    private readonly IHttpContextAccessor _http;

    internal PasswordLinks(AccountEmails mails, IOptions<IdentitySettings> settings, IHttpContextAccessor http)
    {
        _mails = mails;
        _settings = settings.Value;
        _http = http;
    }

    /// <summary>Queues the mail, to leave after the answer; the link points where <see cref="AccountPages.Origin(IHttpContextAccessor, IdentitySettings)"/> says.</summary>
    internal void Mail(Guid userId)
    {
        var origin = AccountPages.Origin(_http, _settings);
        _mails.Enqueue(OutgoingEmailKinds.PasswordReset, async services =>
        {
            if (await services.GetRequiredService<UserManager<User>>().FindByIdAsync(userId.ToString()) is { } user)
            {
                await PasswordResetEndpoints.SendResetLinkAsync(services, origin, user);
            }
        });
    }
}
