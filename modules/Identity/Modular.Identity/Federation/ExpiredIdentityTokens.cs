using System.Globalization;
using OpenIddict.Abstractions;
using OpenIddict.Client;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Client.OpenIddictClientEvents;

namespace Modular.Identity.Federation;

/// <summary>
/// Refuses an identity token whose <c>exp</c> has passed (OpenID Connect Core 3.1.3.7, step 9). OpenIddict's client (7.8)
/// requires the claim but does not compare it with the clock for a provider's tokens, as a test against the upstream
/// provider showed: an hour-old token signed in. Runs beside OpenIddict's own checks of the token's claims, allowing the
/// registration's clock skew.
/// </summary>
internal sealed class ExpiredIdentityTokens : IOpenIddictClientHandler<ProcessAuthenticationContext>
{
    public static OpenIddictClientHandlerDescriptor Descriptor { get; } = OpenIddictClientHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
        .UseSingletonHandler<ExpiredIdentityTokens>()
        .SetOrder(OpenIddictClientHandlers.ValidateBackchannelIdentityTokenWellknownClaims.Descriptor.Order + 1)
        .SetType(OpenIddictClientHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        var now = context.Options.TimeProvider.GetUtcNow();
        var skew = context.Registration.TokenValidationParameters.ClockSkew;
        foreach (var token in new[] { context.FrontchannelIdentityTokenPrincipal, context.BackchannelIdentityTokenPrincipal })
        {
            if (token?.GetClaim(Claims.ExpiresAt) is { } exp && long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                && DateTimeOffset.FromUnixTimeSeconds(seconds) + skew < now)
            {
                context.Reject(Errors.InvalidToken, "The provider's identity token has expired.");
                break;
            }
        }

        return ValueTask.CompletedTask;
    }
}
