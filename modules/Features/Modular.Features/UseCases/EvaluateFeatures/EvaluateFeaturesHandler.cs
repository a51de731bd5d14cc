using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.FeatureManagement;
using Modular.Features.Contracts;

namespace Modular.Features.UseCases.EvaluateFeatures;

/// <summary>
/// Every flag that is on for the caller, with variants: what a front end renders from. Evaluated
/// through the request's snapshot, so one request sees one answer per flag.
/// </summary>
public sealed class EvaluateFeaturesHandler(IVariantFeatureManagerSnapshot features) : IQueryHandler<Contracts.EvaluateFeatures, FeatureEvaluationDto>
{
    public async ValueTask<FeatureEvaluationDto> Handle(Contracts.EvaluateFeatures query, CancellationToken cancellationToken)
    {
        var enabled = new List<string>();
        var variants = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var name in features.GetFeatureNamesAsync(cancellationToken))
        {
            if (await features.IsEnabledAsync(name, cancellationToken))
            {
                enabled.Add(name);
            }

            if (await features.GetVariantAsync(name, cancellationToken) is { Name: { } variant })
            {
                variants[name] = variant;
            }
        }

        enabled.Sort(StringComparer.Ordinal);
        return new FeatureEvaluationDto(enabled, variants);
    }
}

internal static class EvaluateFeaturesEndpoint
{
    public static void MapEvaluateFeatures(this IEndpointRouteBuilder flags) =>
        flags.MapGet("/evaluate", async (ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.EvaluateFeatures(), cancellationToken)))
            .WithName("EvaluateFeatures")
            .WithSummary("The feature flags (and variants) that are on for the signed-in caller's tenant and user")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireAuthorization();
}
