using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases;

internal static class MeterMapping
{
    public static MeterDto ToDto(this Meter meter) =>
        new(meter.Id, meter.Key, meter.Name, meter.Description, meter.EventType, meter.Aggregation, meter.ValuePath, meter.GroupBy, meter.CreatedAt);
}
