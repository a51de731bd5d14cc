using System.Threading.RateLimiting;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Modular.Kernel.Errors;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Modular.Identity.Limits;

/// <summary>
/// OpenIddict answers its endpoints inside the authentication middleware, before the host's rate limiter runs.
/// So the first thing it does for each of its requests is to spend a permit of that same limiter (the host's
/// global one; per address, as nobody is signed in at that point), answering 429 when none is left — before
/// the request is read, a client looked up or a secret hashed. The provider's routes that pass through to
/// <see cref="Connect.ConnectEndpoints"/> opt out of the middleware's count, so every request counts once.
/// </summary>
internal sealed class ProviderRequestLimit(IOptions<RateLimiterOptions> limiter) : IOpenIddictServerHandler<ProcessRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
        .UseSingletonHandler<ProviderRequestLimit>()
        .SetOrder(OpenIddictServerHandlers.InferEndpointType.Descriptor.Order + 1) // once OpenIddict knows the request is its own
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ProcessRequestContext context)
    {
        if (context.EndpointType is OpenIddictServerEndpointType.Unknown
            || limiter.Value.GlobalLimiter is not { } global
            || context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
        {
            return;
        }

        // Asynchronously: a limiter counted in Redis never grants synchronously.
        using var lease = await global.AcquireAsync(http, cancellationToken: http.RequestAborted);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
            await RateLimitedProblem.Create(http, retryAfter).ExecuteAsync(http);
            context.HandleRequest(); // answered: OpenIddict writes nothing more
        }
    }
}
