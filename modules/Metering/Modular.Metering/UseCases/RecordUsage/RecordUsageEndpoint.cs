using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Modular.Kernel.Errors;
using Modular.Kernel.Security;
using Modular.Metering.Contracts;
using Modular.Metering.Domain;

namespace Modular.Metering.UseCases.RecordUsage;

/// <summary>
/// <c>POST /metering/events</c>: CloudEvents 1.0 in structured mode, one event (<c>application/cloudevents+json</c>
/// or <c>application/json</c>) or a JSON array of them (<c>application/cloudevents-batch+json</c> or
/// <c>application/json</c>). The body is read here rather than bound, because one route takes both shapes.
/// </summary>
internal static class RecordUsageEndpoint
{
    private static readonly string[] MediaTypes = ["application/json", "application/cloudevents+json", "application/cloudevents-batch+json"];

    public static void MapRecordUsage(this IEndpointRouteBuilder metering) =>
        metering.MapPost("/events", async (HttpRequest request, ISender sender, CancellationToken cancellationToken) =>
            {
                var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
                if (mediaType is null || !MediaTypes.Contains(mediaType))
                {
                    throw new BadHttpRequestException("Unsupported media type", StatusCodes.Status415UnsupportedMediaType);
                }

                using var body = await ReadJsonAsync(request, cancellationToken);
                var root = body.RootElement;
                var isBatch = root.ValueKind == JsonValueKind.Array;
                if (!isBatch && (root.ValueKind != JsonValueKind.Object || mediaType == "application/cloudevents-batch+json"))
                {
                    throw Malformed("body", "Send one event as a JSON object, or a batch as a JSON array of events.");
                }

                List<UsageEvent> events = isBatch ? root.EnumerateArray().Select((e, i) => Parse(e, i, true)).ToList() : [Parse(root, 0, false)];
                return TypedResults.Ok(await sender.Send(new Contracts.RecordUsage(events, isBatch), cancellationToken));
            })
            .WithName("RecordUsage")
            .WithSummary("Record usage events (CloudEvents 1.0, single or batch of up to 1,000)")
            .Accepts<UsageEvent>("application/cloudevents+json", "application/cloudevents-batch+json", "application/json")
            .Produces<UsageRecorded>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequirePermission(MeteringPermissions.Ingest);

    private static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException)
        {
            throw Malformed("body", "The body is not valid JSON.");
        }
    }

    /// <summary>Reads one event's attributes; a present attribute of the wrong JSON type is an error of that field.</summary>
    private static UsageEvent Parse(JsonElement element, int index, bool isBatch)
    {
        var errors = new List<(string Field, string Message)>();
        if (element.ValueKind != JsonValueKind.Object)
        {
            UsageEventRules.Reject(isBatch, index, [("event", "An event is a JSON object.")]);
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
        UsageEventRules.Reject(isBatch, index, errors);
        return usage;
    }

    private static RequestValidationException Malformed(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}
