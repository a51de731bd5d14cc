using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Errors;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Modular.Identity.Limits;

/// <summary>
/// The OpenID endpoints' guard against client-secret guessing, in OpenIddict's own event pipeline: every
/// <c>invalid_client</c> answer counts against the client id and the caller's address (<see cref="FailedSignIns"/>),
/// and while either has used up its failures, client authentication is refused with 429 before the client is
/// looked up or its secret hashed (PBKDF2, the costliest step of a grant).
/// </summary>
internal static class ClientAuthenticationLimit
{
    public static OpenIddictServerBuilder LimitFailedClientAuthentication(this OpenIddictServerBuilder server) =>
        server.AddEventHandler(RefuseWhileLimited.Descriptor).AddEventHandler(CountFailures.Descriptor);

    /// <summary>The endpoints where clients authenticate.</summary>
    private static bool AuthenticatesClients(OpenIddictServerEndpointType endpoint) => endpoint
        is OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.Introspection or OpenIddictServerEndpointType.Revocation
        or OpenIddictServerEndpointType.DeviceAuthorization or OpenIddictServerEndpointType.PushedAuthorization;

    internal sealed class RefuseWhileLimited(FailedSignIns failures) : IOpenIddictServerHandler<ProcessAuthenticationContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<RefuseWhileLimited>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 1) // before the client lookup and the secret check
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ProcessAuthenticationContext context)
        {
            if (!AuthenticatesClients(context.EndpointType) || context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
            {
                return;
            }

            if (failures.RetryAfter(SignInKind.Client, context.Request.ClientId, http) is { } wait)
            {
                await RateLimitedProblem.Create(http, wait, "Too many failed client authentications; try again after the time given in Retry-After.")
                    .ExecuteAsync(http);
                context.HandleRequest(); // answered: OpenIddict writes nothing more
            }
        }
    }

    internal sealed class CountFailures(FailedSignIns failures) : IOpenIddictServerHandler<ProcessErrorContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessErrorContext>()
            .UseSingletonHandler<CountFailures>()
            .SetOrder(int.MinValue + 50_000) // before the error is written
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ProcessErrorContext context)
        {
            if (context.Error == Errors.InvalidClient && AuthenticatesClients(context.EndpointType)
                && context.Transaction.GetHttpRequest()?.HttpContext is { } http)
            {
                failures.Fail(SignInKind.Client, context.Request?.ClientId, http);
            }

            return default;
        }
    }
}
