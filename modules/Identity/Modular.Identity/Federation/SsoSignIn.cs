using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Configuration;
using Modular.Identity.Contracts;
using Modular.Identity.Domain;
using Modular.Identity.Memberships;
using Modular.Identity.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Cluster;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;

namespace Modular.Identity.Federation;

/// <summary>
/// The end of a sign-in at a tenant's provider (OpenIddict has checked the state, the code exchange, the identity token
/// and userinfo): who the person is here, their membership and roles in that tenant, and the login cookie. What is
/// trusted from the provider, and why, is docs/adr/0018-federation.md.
/// </summary>
internal sealed class SsoSignIn(
    IdentityDbContext db, TenantScope scope, ITenantDirectory tenants, UserManager<User> users, SignInManager<User> signIn,
    RoleGrants roles, ICaller caller, ClusterCache cache, TimeProvider clock)
{
    /// <summary>Signs the person in, or says why not (a sentence for the sign-in page).</summary>
    public async Task<string?> CompleteAsync(Guid connectionId, ClaimsPrincipal upstream, CancellationToken cancellationToken)
    {
        scope.EnterAllTenants(); // to find the connection the state token names; the work below is in its tenant
        var connection = await db.SsoConnections.FirstOrDefaultAsync(c => c.Id == connectionId && c.Enabled, cancellationToken);
        if (connection is null)
        {
            return "Your organisation's single sign-on is not available any more.";
        }

        var now = clock.GetUtcNow();
        var tenant = await tenants.FindAsync(connection.TenantId.ToString(), cancellationToken);
        if (tenant is null || tenant.IsSuspended)
        {
            return "Your organisation is not available.";
        }

        scope.Enter(tenant);
        var refusal = await SignInAsync(connection, tenant, upstream, now, cancellationToken);
        if (refusal is not null)
        {
            connection.Failed(refusal, now);
        }

        await db.CommitAsync(cancellationToken);
        return refusal;
    }

    private async Task<string?> SignInAsync(SsoConnection connection, TenantInfo tenant, ClaimsPrincipal upstream, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var subject = upstream.FindFirst(OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject)?.Value;
        var email = upstream.FindFirst(connection.EmailClaim)?.Value;
        var domain = SsoDomain.OfEmail(email);
        if (string.IsNullOrEmpty(subject) || email is null || domain is null || !Account.AccountPages.IsEmail(email))
        {
            return "Your organisation's provider did not say who you are (no subject or email address).";
        }

        if (!await db.SsoDomains.AnyAsync(d => d.ConnectionId == connection.Id && d.Domain == domain && d.VerifiedAt != null, cancellationToken))
        {
            return $"The address {email} is outside the domains your organisation's single sign-on covers.";
        }

        // Only the provider's word that it checked the address lets it stand for an account that exists here already.
        var emailVerified = upstream.FindFirst("email_verified")?.Value is { } flag && bool.TryParse(flag, out var verified) && verified;
        var key = ProviderKey(subject);
        var user = await users.FindByLoginAsync(connection.LoginProvider, key);
        if (user is null)
        {
            user = await users.FindByEmailAsync(email);
            if (user is not null && !emailVerified)
            {
                return "Your organisation's provider has not verified your email address, and an account with it exists here.";
            }

            if (user is null)
            {
                var name = upstream.FindFirst(connection.NameClaim)?.Value;
                user = new User
                {
                    UserName = email,
                    Email = email,
                    EmailConfirmed = emailVerified,
                    DisplayName = name is { Length: > 0 } ? name[..Math.Min(name.Length, User.DisplayNameMaxLength)] : email,
                    CreatedAt = now,
                };
                if (!(await users.CreateAsync(user)).Succeeded)
                {
                    return "An account could not be made for you here. Ask your administrator.";
                }
            }
            else if (!user.EmailConfirmed)
            {
                user.EmailConfirmed = true; // the provider verified it, in a domain the tenant proved it owns
                // Whoever chose the account's password never proved the address: perhaps a stranger who registered it
                // first, waiting for its owner to confirm it. The password goes; the owner can set one by reset.
                if (user.PasswordHash is not null && !(await users.RemovePasswordAsync(user)).Succeeded)
                {
                    return "An account could not be made for you here. Ask your administrator.";
                }
            }

            await users.AddLoginAsync(user, new UserLoginInfo(connection.LoginProvider, key, connection.Name));
        }

        if (!await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
        {
            return "Your account cannot sign in at the moment. Ask your administrator.";
        }

        var mapped = MappedRoles(connection, upstream);
        try
        {
            await roles.EnsureTenantRolesAsync(tenant.Id, mapped, cancellationToken);
        }
        catch (RequestValidationException)
        {
            return "A role your organisation's single sign-on gives no longer exists. Ask your administrator.";
        }

        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.TenantId == tenant.Id && m.UserId == user.Id, cancellationToken);
        if (membership is null)
        {
            membership = Membership.Create(tenant.Id, user.Id, [], now);
            db.Memberships.Add(membership);
            membership.ApplySsoRoles(mapped);
            db.Audit(tenant.Id, caller, "member.provisioned", $"user:{user.Id}", new { connection = connection.Id, roles = mapped }, now);
        }
        else if (!membership.SsoRoles.Order(StringComparer.Ordinal).SequenceEqual(mapped))
        {
            membership.ApplySsoRoles(mapped);
            db.Audit(tenant.Id, caller, "member.roles-synced", $"user:{user.Id}", new { connection = connection.Id, roles = mapped }, now);
        }

        user.PreferredTenantId = tenant.Id; // the session is for this organisation
        await users.UpdateAsync(user);
        connection.SignedIn(now);
        await db.CommitAsync(cancellationToken);
        await MembershipDirectory.ForgetUserAsync(cache, user.Id, cancellationToken);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(SsoDirectory.ProviderClaim, connection.LoginProvider)]);
        return null;
    }

    /// <summary>The tenant roles the person's groups give, or <c>member</c> when none of them maps.</summary>
    private static List<string> MappedRoles(SsoConnection connection, ClaimsPrincipal upstream)
    {
        var groups = upstream.FindAll(connection.GroupsClaim).SelectMany(c => Values(c.Value)).ToHashSet(StringComparer.Ordinal);
        var mapped = connection.GroupRoles.Where(m => groups.Contains(m.Group)).Select(m => m.Role).Distinct().Order(StringComparer.Ordinal).ToList();
        return mapped.Count > 0 ? mapped : [IdentityRoles.Member];
    }

    /// <summary>A groups claim is one value per claim, or a JSON array in one claim.</summary>
    private static IEnumerable<string> Values(string value)
    {
        if (!value.StartsWith('['))
        {
            return [value];
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(value) ?? [];
        }
        catch (JsonException)
        {
            return [value];
        }
    }

    /// <summary>The provider's subject as the login's key: a subject may be 255 characters and the key column holds 128, so a long one is hashed.</summary>
    private static string ProviderKey(string subject) =>
        subject.Length <= 128 ? subject : "sha256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(subject)));
}
