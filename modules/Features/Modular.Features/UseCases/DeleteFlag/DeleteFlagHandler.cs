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

namespace Modular.Features.UseCases.DeleteFlag;

public sealed class DeleteFlagHandler(FeaturesDbContext db, ICaller caller, TimeProvider clock) : ICommandHandler<Contracts.DeleteFlag>
{
    public async ValueTask<Unit> Handle(Contracts.DeleteFlag command, CancellationToken cancellationToken)
    {
        var flag = await db.GetFlagAsync(command.Key, cancellationToken);
        var now = clock.GetUtcNow();
        db.Record(caller, "flag.deleted", flag.Key, null, flag.ToDto(), null, command.Reason, now);
        db.Flags.Remove(flag);
        return Unit.Value;
    }
}

internal sealed class DeleteFlagValidator : AbstractValidator<Contracts.DeleteFlag>
{
    public DeleteFlagValidator() => RuleFor(c => c.Reason).Reason();
}

internal static class DeleteFlagEndpoint
{
    public static void MapDeleteFlag(this IEndpointRouteBuilder flags) =>
        flags.MapDelete("/{key}", async (string key, ISender sender, CancellationToken cancellationToken, string? reason = null) =>
            {
                await sender.Send(new Contracts.DeleteFlag(key, reason), cancellationToken);
                return TypedResults.NoContent();
            })
            .WithName("DeleteFlag")
            .WithSummary("Delete a feature flag (it then evaluates to false, or to its appsettings default)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(FeaturesPermissions.Manage);
}
