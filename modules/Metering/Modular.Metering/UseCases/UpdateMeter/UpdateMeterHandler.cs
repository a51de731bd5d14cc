using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.UpdateMeter;

public sealed class UpdateMeterHandler(MeteringDbContext db) : ICommandHandler<Contracts.UpdateMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(Contracts.UpdateMeter command, CancellationToken cancellationToken)
    {
        var meter = await db.GetMeterAsync(command.Key, cancellationToken);
        meter.Rename(command.Name, command.Description);
        return meter.ToDto();
    }
}

internal sealed class UpdateMeterValidator : AbstractValidator<Contracts.UpdateMeter>
{
    public UpdateMeterValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Meter.NameMaxLength);
        RuleFor(c => c.Description).MaximumLength(Meter.DescriptionMaxLength);
    }
}

/// <summary>What the body of PUT /meters/{key} may change.</summary>
internal sealed record UpdateMeterBody(string Name, string? Description = null);

internal static class UpdateMeterEndpoint
{
    public static void MapUpdateMeter(this IEndpointRouteBuilder meters) =>
        meters.MapPut("/{key}", async (string key, UpdateMeterBody body, ISender sender, CancellationToken cancellationToken) =>
                TypedResults.Ok(await sender.Send(new Contracts.UpdateMeter(key, body.Name, body.Description), cancellationToken)))
            .WithName("UpdateMeter").WithSummary("Rename a meter")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePermission(MeteringPermissions.Manage);
}
