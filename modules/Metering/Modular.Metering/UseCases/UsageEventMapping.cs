using System.Text.Json;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases;

internal static class UsageEventMapping
{
    public static UsageEventDto ToDto(this StoredUsageEvent e) => new(
        e.Id, e.Source, e.EventId, e.Type, e.Subject, e.Time, e.ReceivedAt, e.Status, e.ValidationError,
        e.Data is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Data));
}
