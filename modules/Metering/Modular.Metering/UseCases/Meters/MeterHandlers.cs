using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Kernel.Errors;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;
using Modular.Metering.Persistence;

namespace Modular.Metering.UseCases.Meters;

public sealed class CreateMeterHandler(MeteringDbContext db, TimeProvider clock) : ICommandHandler<CreateMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(CreateMeter command, CancellationToken cancellationToken)
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

public sealed class UpdateMeterHandler(MeteringDbContext db) : ICommandHandler<UpdateMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(UpdateMeter command, CancellationToken cancellationToken)
    {
        var meter = await db.GetMeterAsync(command.Key, cancellationToken);
        meter.Rename(command.Name, command.Description);
        return meter.ToDto();
    }
}

/// <summary>Deletes the meter and every tenant's rollups of it (the caller works across tenants); events stay.</summary>
public sealed class DeleteMeterHandler(MeteringDbContext db) : ICommandHandler<DeleteMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(DeleteMeter command, CancellationToken cancellationToken)
    {
        var meter = await db.GetMeterAsync(command.Key, cancellationToken);
        await db.Database.InTransactionAsync(async cancellationToken =>
        {
            await db.Rollups.Where(r => r.MeterId == meter.Id).ExecuteDeleteAsync(cancellationToken);
            await db.DistinctValues.Where(r => r.MeterId == meter.Id).ExecuteDeleteAsync(cancellationToken);
            db.Meters.Remove(meter);
            await db.CommitAsync(cancellationToken);
        }, cancellationToken);
        return meter.ToDto();
    }
}

public sealed class GetMeterHandler(MeteringDbContext db) : IQueryHandler<GetMeter, MeterDto>
{
    public async ValueTask<MeterDto> Handle(GetMeter query, CancellationToken cancellationToken) =>
        (await db.GetMeterAsync(query.Key, cancellationToken)).ToDto();
}

public sealed class ListMetersHandler(MeteringDbContext db) : IQueryHandler<ListMeters, IReadOnlyList<MeterDto>>
{
    public async ValueTask<IReadOnlyList<MeterDto>> Handle(ListMeters query, CancellationToken cancellationToken) =>
        (await db.Meters.AsNoTracking().OrderBy(m => m.Key).ToListAsync(cancellationToken)).Select(m => m.ToDto()).ToList();
}

internal sealed class CreateMeterValidator : AbstractValidator<CreateMeter>
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

internal sealed class UpdateMeterValidator : AbstractValidator<UpdateMeter>
{
    public UpdateMeterValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(Meter.NameMaxLength);
        RuleFor(c => c.Description).MaximumLength(Meter.DescriptionMaxLength);
    }
}
