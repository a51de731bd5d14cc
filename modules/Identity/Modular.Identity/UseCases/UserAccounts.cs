using Microsoft.AspNetCore.Identity;
using Modular.Identity.Domain;
using Modular.Kernel.Errors;
using OpenIddict.Abstractions;

namespace Modular.Identity.UseCases;

/// <summary>What the user use cases share: finding a user, checking Identity's answer, ending their sessions.</summary>
internal static class UserAccounts
{
    public static async Task<User> GetAsync(this UserManager<User> users, Guid id) =>
        await users.FindByIdAsync(id.ToString()) ?? throw new NotFoundException("User", id);

    /// <summary>Revokes one authorization (session) with its tokens, or all of the user's; returns how many sessions.</summary>
    public static async Task<int> RevokeSessionsAsync(
        this IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, User user, Guid? sessionId, CancellationToken cancellationToken)
    {
        var subject = user.Id.ToString();
        if (sessionId is null)
        {
            await tokens.RevokeBySubjectAsync(subject, cancellationToken);
            return (int)await authorizations.RevokeBySubjectAsync(subject, cancellationToken);
        }

        var authorization = await authorizations.FindByIdAsync(sessionId.Value.ToString(), cancellationToken);
        if (authorization is null || await authorizations.GetSubjectAsync(authorization, cancellationToken) != subject)
        {
            throw new NotFoundException("Session", sessionId.Value); // another user's session is not this user's to revoke
        }

        await authorizations.TryRevokeAsync(authorization, cancellationToken);
        await tokens.RevokeByAuthorizationIdAsync(sessionId.Value.ToString(), cancellationToken);
        return 1;
    }

    public static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new ConflictException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
