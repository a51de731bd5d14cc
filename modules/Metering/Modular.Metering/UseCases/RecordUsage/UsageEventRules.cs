using Modular.Kernel.Errors;
using Modular.Metering.Configuration;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases.RecordUsage;

/// <summary>
/// The CloudEvents 1.0 attributes a usage event must carry, and the time window it must fall in
/// (not older than the lag, which is also how long a late event can still change its window; not
/// further ahead than the allowed clock skew).
/// </summary>
internal static class UsageEventRules
{
    public const string SpecVersion = "1.0";

    /// <summary>A single event: 400 naming each bad field. A batch: 422 naming the first bad event's index.</summary>
    public static void ThrowIfInvalid(Contracts.RecordUsage command, DateTimeOffset now, MeteringOptions settings)
    {
        if (command.Events.Count == 0)
        {
            throw new RequestValidationException(new Dictionary<string, string[]> { ["events"] = ["Send at least one event."] });
        }

        for (var index = 0; index < command.Events.Count; index++)
        {
            Reject(command.IsBatch, index, Check(command.Events[index], now, settings).ToList());
        }
    }

    /// <summary>Throws for an event with errors: 400 naming its fields alone, 422 naming its index in a batch.</summary>
    public static void Reject(bool isBatch, int index, IReadOnlyList<(string Field, string Message)> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        if (isBatch)
        {
            throw new BatchRejectedException(index, errors[0].Field, errors[0].Message);
        }

        throw new RequestValidationException(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
    }

    private static IEnumerable<(string Field, string Message)> Check(UsageEvent e, DateTimeOffset now, MeteringOptions settings)
    {
        if (string.IsNullOrEmpty(e.SpecVersion))
        {
            yield return ("specversion", "Required: the CloudEvents version, \"1.0\".");
        }
        else if (e.SpecVersion != SpecVersion)
        {
            yield return ("specversion", "Only CloudEvents \"1.0\" is accepted.");
        }

        foreach (var error in Required("id", e.Id, StoredUsageEvent.EventIdMaxLength)
            .Concat(Required("source", e.Source, StoredUsageEvent.SourceMaxLength))
            .Concat(Required("type", e.Type, StoredUsageEvent.TypeMaxLength)))
        {
            yield return error;
        }

        if (e.Subject is { Length: > StoredUsageEvent.SubjectMaxLength })
        {
            yield return ("subject", $"At most {StoredUsageEvent.SubjectMaxLength} characters.");
        }

        if (e.Time < now - settings.MaxLag)
        {
            yield return ("time", $"Older than the allowed lag of {settings.MaxLag.TotalDays:0.#} days.");
        }
        else if (e.Time > now + settings.MaxFuture)
        {
            yield return ("time", $"More than {settings.MaxFuture.TotalMinutes:0.#} minutes in the future.");
        }
    }

    private static IEnumerable<(string Field, string Message)> Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield return (field, "Required.");
        }
        else if (value.Length > maxLength)
        {
            yield return (field, $"At most {maxLength} characters.");
        }
    }
}
