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

namespace Modular.Features.UseCases.SetFlagEnabled;

/// <summary>The kill switch: one call, effective on every instance within seconds.</summary>
public sealed class SetFlagEnabledHandler(FeaturesDbContext db, ICaller caller, TimeProvider clock) : ICommandHandler<Contracts.SetFlagEnabled, FlagDto>
{
    public async ValueTask<FlagDto> Handle(Contracts.SetFlagEnabled command, CancellationToken cancellationToken)
    {
        var flag = await db.GetFlagAsync(command.Key, cancellationToken);
        flag.EnsureVersion(command.Version);
        if (flag.Enabled == command.Enabled)
        {
            return flag.ToDto();
        }

        var now = clock.GetUtcNow();
        flag.SetEnabled(command.Enabled, now);
        db.Record(caller, command.Enabled ? "flag.enabled" : "flag.killed", flag.Key, null, new { enabled = !command.Enabled }, new { enabled = command.Enabled }, command.Reason, now);
        return flag.ToDto();
    }
}

internal sealed class SetFlagEnabledValidator : AbstractValidator<Contracts.SetFlagEnabled>
{
    public SetFlagEnabledValidator() => RuleFor(c => c.Reason).Reason();
}

/// <summary>The body of <c>PUT /api/v1/features/{key}/enabled</c>.</summary>
internal sealed record SetFlagEnabledBody(bool? Enabled, string? Reason, int? Version);

internal static class SetFlagEnabledEndpoint
{
    public static void MapSetFlagEnabled(this IEndpointRouteBuilder flags) =>
        flags.MapPut("/{key}/enabled", async (string key, SetFlagEnabledBody body, ISender sender, CancellationToken cancellationToken) =>
            {
                if (body.Enabled is not { } enabled)
                {
                    throw new Kernel.Errors.RequestValidationException(new Dictionary<string, string[]> { ["enabled"] = ["Give enabled: true or false."] });
                }

                return TypedResults.Ok(await sender.Send(new Contracts.SetFlagEnabled(key, enabled, body.Reason, body.Version), cancellationToken));
            })
            .WithName("SetFlagEnabled")
            .WithSummary("Turn a feature flag's kill switch on or off")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(FeaturesPermissions.Manage);
}
