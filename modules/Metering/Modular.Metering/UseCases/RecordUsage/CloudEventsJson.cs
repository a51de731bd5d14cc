using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Modular.Kernel.Errors;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases.RecordUsage;

/// <summary>
/// Binds a request body of CloudEvents JSON (structured mode: one event, or an array of them) to the
/// <see cref="Contracts.RecordUsage"/> command. It refuses only what cannot be put into the command, as a binder
/// does: a body that is not JSON or not of the media type's shape, an event that is not an object, an attribute
/// of the wrong JSON type, text PostgreSQL cannot store, a time that is no timestamp. Whether the events are
/// acceptable is <see cref="RecordUsageValidator"/>'s to say; a bad event is answered as it answers.
/// </summary>
internal static class CloudEventsJson
{
    private const string BatchMediaType = "application/cloudevents-batch+json";

    private static readonly string[] MediaTypes = ["application/json", "application/cloudevents+json", BatchMediaType];

    /// <summary>
    /// The body as JSON, in one of the accepted media types. The events <see cref="Bind"/> makes are views into it
    /// (each one's <c>data</c> is read by the meters as it is), so it is disposed once the command is handled.
    /// </summary>
    public static async Task<JsonDocument> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (MediaTypeOf(request) is not { } mediaType || !MediaTypes.Contains(mediaType))
        {
            throw new BadHttpRequestException("Unsupported media type", StatusCodes.Status415UnsupportedMediaType);
        }

        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException)
        {
            throw Malformed("body", "The body is not valid JSON.");
        }
    }

    public static Contracts.RecordUsage Bind(JsonDocument body, HttpRequest request)
    {
        var root = body.RootElement;
        var isBatch = root.ValueKind == JsonValueKind.Array;
        if (!isBatch && (root.ValueKind != JsonValueKind.Object || MediaTypeOf(request) == BatchMediaType))
        {
            throw Malformed("body", "Send one event as a JSON object, or a batch as a JSON array of events.");
        }

        List<UsageEvent> events = isBatch ? root.EnumerateArray().Select((e, i) => Read(e, i, true)).ToList() : [Read(root, 0, false)];
        return new Contracts.RecordUsage(events, isBatch);
    }

    private static string? MediaTypeOf(HttpRequest request) => request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>Reads one event's attributes; a present attribute of the wrong JSON type is an error of that field.</summary>
    private static UsageEvent Read(JsonElement element, int index, bool isBatch)
    {
        var errors = new List<(string Field, string Message)>();
        if (element.ValueKind != JsonValueKind.Object)
        {
            Reject(isBatch, index, [("event", "An event is a JSON object.")]);
        }

        string? Text(string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add((name, "Must be a string."));
                return null;
            }

            // PostgreSQL cannot store U+0000 in text, nor .NET a lone surrogate escape ("\ud800") as a string: both are
            // refused here, like any bad attribute, rather than failing the batch later.
            var text = JsonValuePath.AsText(value);
            if (text is null || text.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add((name, "Must be Unicode text without the NUL character (U+0000)."));
                return null;
            }

            return text;
        }

        var time = Text("time");
        DateTimeOffset? parsedTime = null;
        if (time is not null)
        {
            if (DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                parsedTime = t;
            }
            else
            {
                errors.Add(("time", "Must be an RFC 3339 timestamp."));
            }
        }

        var usage = new UsageEvent(
            Text("specversion"), Text("id"), Text("source"), Text("type"), Text("subject"), parsedTime,
            element.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null ? data : null);
        Reject(isBatch, index, errors);
        return usage;
    }

    /// <summary>Answers an event that cannot be bound as the validator answers a bad one: its fields (400), or its index in a batch (422).</summary>
    private static void Reject(bool isBatch, int index, IReadOnlyList<(string Field, string Message)> errors)
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

    private static RequestValidationException Malformed(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
