using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.CreateMeter;

public sealed class CreateMeterHandler(MeteringDbContext db, TimeProvider clock) : ICommandHandler<Contracts.CreateMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(Contracts.CreateMeter command, CancellationToken cancellationToken)
    {
        if (await db.Meters.AnyAsync(m => m.Key == command.Key, cancellationToken))
        {
            throw new ConflictException($"A meter with key '{command.Key}' already exists.");
        }

        var meter = Meter.Create(command, clock.GetUtcNow());
        db.Meters.Add(meter);
        return meter.ToDto();
    }
}

internal sealed class CreateMeterValidator : AbstractValidator<Contracts.CreateMeter>
{
    public const string KeyPattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";

    public CreateMeterValidator()
    {
        RuleFor(c => c.Key).NotEmpty().MaximumLength(Meter.KeyMaxLength).Matches(KeyPattern)
            .WithMessage("Use lower-case letters, digits and inner hyphens only.");
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Meter.NameMaxLength);
        RuleFor(c => c.Description).MaximumLength(Meter.DescriptionMaxLength);
        RuleFor(c => c.EventType).NotEmpty().MaximumLength(StoredUsageEvent.TypeMaxLength);
        RuleFor(c => c.Aggregation).NotEmpty().Must(a => MeterAggregations.All.Contains(a))
            .WithMessage($"One of {string.Join(", ", MeterAggregations.All)}.");
        RuleFor(c => c.ValuePath).NotEmpty().When(c => c.Aggregation != MeterAggregations.Count)
            .WithMessage("Every aggregation but COUNT needs a value path into data, e.g. $.tokens.");
        RuleFor(c => c.ValuePath!).MaximumLength(Meter.PathMaxLength).Matches(JsonValuePath.Pattern)
            .When(c => !string.IsNullOrEmpty(c.ValuePath)).WithMessage("A JSON path such as $.usage.tokens.");
        RuleFor(c => c.GroupBy!)
            .Must(g => g.Count <= Meter.MaxGroupBy).WithMessage($"At most {Meter.MaxGroupBy} dimensions.")
            .Must(g => g.All(d => System.Text.RegularExpressions.Regex.IsMatch(d.Key, "^[a-z_][a-z0-9_]{0,63}$") && d.Key != "subject"))
            .WithMessage("Dimension names are lower-case identifiers (not 'subject').")
            .Must(g => g.Values.All(p => p is { Length: <= Meter.PathMaxLength } && System.Text.RegularExpressions.Regex.IsMatch(p, JsonValuePath.Pattern)))
            .WithMessage("Each dimension is a JSON path such as $.region.")
            .When(c => c.GroupBy is not null);
    }
}

internal static class CreateMeterEndpoint
{
    public static void MapCreateMeter(this IEndpointRouteBuilder meters) =>
        meters.MapPost("/", async (Contracts.CreateMeter command, ISender sender, CancellationToken cancellationToken) =>
            {
                var meter = await sender.Send(command, cancellationToken);
                return TypedResults.Created(MeteringRoutes.Meter(meter.Key), meter);
            })
            .WithName("CreateMeter").WithSummary("Define a meter")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequirePermission(MeteringPermissions.Manage);
}
