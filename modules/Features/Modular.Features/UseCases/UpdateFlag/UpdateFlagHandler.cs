using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Features.Contracts;
using Modular.Features.Domain;
using Modular.Features.Persistence;
using Modular.Kernel.Auditing;
using Modular.Kernel.Security;

namespace Modular.Features.UseCases.UpdateFlag;

public sealed class UpdateFlagHandler(FeaturesDbContext db, ICaller caller, TimeProvider clock) : ICommandHandler<Contracts.UpdateFlag, FlagDto>
{
    public async ValueTask<FlagDto> Handle(Contracts.UpdateFlag command, CancellationToken cancellationToken)
    {
        var flag = await db.GetFlagAsync(command.Key, cancellationToken);
        flag.EnsureVersion(command.Version);

        // The version read here is the one the UPDATE is conditioned on: a racing edit that commits
        // first makes this one fail with a concurrency conflict (409).
        var now = clock.GetUtcNow();
        var old = flag.ToDto() with { Overrides = [] };
        flag.Apply(command.ToDefinition(), now);
        var updated = flag.ToDto();
        db.Record(caller, "flag.updated", flag.Key, null, old, updated with { Overrides = [] }, command.Reason, now);
        return updated;
    }
}

internal sealed class UpdateFlagValidator : AbstractValidator<Contracts.UpdateFlag>
{
    public UpdateFlagValidator()
    {
        RuleFor(c => c.Version).GreaterThan(0);
        RuleFor(c => c.Reason).Reason();
        Include(new FlagSpecValidator<Contracts.UpdateFlag>());
    }
}

internal static class UpdateFlagEndpoint
{
    public static void MapUpdateFlag(this IEndpointRouteBuilder flags) =>
        flags.MapPut("/{key}", async (string key, Contracts.UpdateFlag body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(body with { Key = key }, cancellationToken)))
            .WithName("UpdateFlag")
            .WithSummary("Replace a feature flag's definition (version-checked)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(FeaturesPermissions.Manage);
}
