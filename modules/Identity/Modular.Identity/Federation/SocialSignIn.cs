using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Account;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Email;

namespace Modular.Identity.Federation;

/// <summary>
/// The end of a sign-in at GitHub, Google or Microsoft (OpenIddict has checked the state, the code exchange and what the
/// provider returned): the account the provider's login is linked to, or a new link, or a new account, under the rules of
/// docs/adr/0018-federation.md. A provider's word on an email address links nothing by itself: an existing account is
/// linked from its own account page, or by a link mailed to its (confirmed) address when the provider vouches for the
/// address; anything less would let whoever controls a provider account, or pre-registered an address, into someone else's.
/// </summary>
internal sealed class SocialSignIn(
    UserManager<User> users, SignInManager<User> signIn, SsoDirectory sso, IOptions<AccountSettings> settings, AccountEmails mails, TimeProvider clock)
{
    /// <summary>What came of it: signed in, a second step needed, a link mailed (<paramref name="MailedTo"/>), or a sentence for the sign-in page.</summary>
    public sealed record Outcome(string? Refusal = null, bool RequiresTwoFactor = false, string? MailedTo = null);

    /// <summary>The purpose of the mailed link's token: one provider's login, for one account (and its current security stamp).</summary>
    public static string LinkPurpose(string provider, string key) => $"ConnectLogin:{provider}:{key}";

    /// <summary>Signs in with the provider's login, linking or making the account first when the rules allow.</summary>
    public async Task<Outcome> SignInAsync(SocialProvider provider, ClaimsPrincipal upstream, string origin, CancellationToken cancellationToken)
    {
        if (ProviderKey(upstream) is not { } key)
        {
            return new($"{provider.Name} did not say who you are. Try again, or sign in another way.");
        }

        var user = await users.FindByLoginAsync(provider.Name, key);
        if (user is null)
        {
            var email = upstream.FindFirst(ClaimTypes.Email)?.Value?.Trim();
            if (!AccountPages.IsEmail(email))
            {
                return new($"{provider.Name} did not share an email address. Make one visible to this site at {provider.Name}, or sign in another way.");
            }

            if (await sso.IsEnforcedAsync(email, cancellationToken))
            {
                return new(AccountPages.UseSingleSignOn);
            }

            // An address the provider does not vouch for gets one answer, whether or not an account has it: anyone can put
            // any address on some providers' profiles, and must not learn from this page which addresses have accounts.
            if (!provider.VouchesForEmail(upstream))
            {
                return new($"{provider.Name} has not confirmed {email} is yours, so it cannot sign you in by it. Sign in another way, then connect {provider.Name} on your account page.");
            }

            if (await users.FindByEmailAsync(email!) is { } existing)
            {
                return OfferLink(existing, provider, key, origin);
            }

            var refusal = await CreateAsync(provider, upstream, key, email!);
            if (refusal is not null)
            {
                return new(refusal);
            }
        }
        else if (await sso.IsEnforcedAsync(user.Email, cancellationToken))
        {
            return new(AccountPages.UseSingleSignOn); // the organisation made its provider the only way in after the link
        }

        // Identity's own external sign-in: it refuses locked and unconfirmed accounts and asks for the second factor.
        var result = await signIn.ExternalLoginSignInAsync(provider.Name, key, isPersistent: false, bypassTwoFactor: false);
        return result.Succeeded ? new()
            : result.RequiresTwoFactor ? new(RequiresTwoFactor: true)
            : new("Your account cannot sign in at the moment: it may be locked, or its email address not confirmed yet.");
    }

    /// <summary>Links the provider's login to the signed-in <paramref name="user"/> (from their account page). Returns why not, or null.</summary>
    public async Task<string?> LinkAsync(User user, SocialProvider provider, ClaimsPrincipal upstream, CancellationToken cancellationToken)
    {
        if (ProviderKey(upstream) is not { } key)
        {
            return $"{provider.Name} did not say who you are. Try again.";
        }

        if (await users.FindByLoginAsync(provider.Name, key) is { } holder)
        {
            return holder.Id == user.Id ? null : $"That {provider.Name} account is connected to another account here.";
        }

        if (await sso.IsEnforcedAsync(user.Email, cancellationToken))
        {
            return AccountPages.UseSingleSignOn;
        }

        var added = await users.AddLoginAsync(user, new UserLoginInfo(provider.Name, key, provider.Name));
        return added.Succeeded ? null : string.Join(" ", AccountPages.Describe(added));
    }

    /// <summary>
    /// An account has the address the provider vouches for (so the person owns it, and may learn that it has an account):
    /// its owner proves the account is theirs by opening a link mailed to it. Unconfirmed, its password may be a stranger's
    /// who registered the address first, so nothing is offered.
    /// </summary>
    private Outcome OfferLink(User existing, SocialProvider provider, string key, string origin)
    {
        var email = existing.Email!;
        if (!existing.EmailConfirmed)
        {
            return new($"An account with {email} exists here. Sign in to it another way, then connect {provider.Name} on your account page.");
        }

        var id = existing.Id;
        mails.Enqueue(OutgoingEmailKinds.ConnectLogin, async services =>
        {
            var owners = services.GetRequiredService<UserManager<User>>();
            if (await owners.FindByIdAsync(id.ToString()) is { Email: { } address } owner)
            {
                var code = await owners.GenerateUserTokenAsync(owner, TokenOptions.DefaultProvider, LinkPurpose(provider.Name, key));
                var link = AccountPages.Link(origin, IdentityRoutes.ConfirmExternalLogin, new Dictionary<string, string?>
                {
                    ["userId"] = id.ToString(),
                    ["provider"] = provider.Name,
                    ["key"] = key,
                    ["code"] = code,
                });
                await services.GetRequiredService<OutboxEmailSender>().SendConnectLoginLinkAsync(owner, address, provider.Name, link);
            }
        });
        return new(MailedTo: email);
    }

    /// <summary>A new account for an address the provider vouches for (and so confirmed), with the provider's login.</summary>
    private async Task<string?> CreateAsync(SocialProvider provider, ClaimsPrincipal upstream, string key, string email)
    {
        if (!settings.Value.RegistrationOpen)
        {
            return $"This site does not take new accounts. Sign in with an account you have, then connect {provider.Name} on your account page.";
        }

        var name = upstream.FindFirst(ClaimTypes.Name)?.Value?.Trim();
        var user = new User
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true, // vouched for by the provider
            DisplayName = name is { Length: > 0 } ? name[..Math.Min(name.Length, User.DisplayNameMaxLength)] : "",
            CreatedAt = clock.GetUtcNow(),
        };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            return "An account could not be made for you here. Try again, or create one with your email address.";
        }

        return (await users.AddLoginAsync(user, new UserLoginInfo(provider.Name, key, provider.Name))).Succeeded
            ? null
            : "An account could not be made for you here. Try again, or create one with your email address.";
    }

    /// <summary>The provider's id for the person (OpenIddict maps each provider's own to the name identifier claim).</summary>
    private static string? ProviderKey(ClaimsPrincipal upstream) =>
        upstream.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 and <= 128 } key ? key : null;
}
