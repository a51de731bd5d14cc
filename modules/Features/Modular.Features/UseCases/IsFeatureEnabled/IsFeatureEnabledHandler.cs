using Mediator;
using Microsoft.FeatureManagement;

namespace Modular.Features.UseCases.IsFeatureEnabled;

/// <summary>Other modules' question "is this flag on for my caller?"; unknown flags are off.</summary>
public sealed class IsFeatureEnabledHandler(IFeatureManagerSnapshot features) : IQueryHandler<Contracts.IsFeatureEnabled, bool>
{
    public async ValueTask<bool> Handle(Contracts.IsFeatureEnabled query, CancellationToken cancellationToken) =>
        !string.IsNullOrEmpty(query.Flag) && await features.IsEnabledAsync(query.Flag);
}
