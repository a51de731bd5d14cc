using System.Globalization;
using System.Text.Json;
using Humanizer;
using Microsoft.JSInterop;

namespace Modular.Kernel.Components;

/// <summary>
/// Times as the person looking at them reads them: in their browser's time zone (asked once per circuit), and in words
/// against now ("3 minutes ago"). Until the browser has answered (a prerendered page), times are in UTC.
/// </summary>
public sealed class ViewerTime(IJSRuntime js, TimeProvider clock)
{
    private Task<TimeZoneInfo>? _zone;

    /// <summary>The viewer's time zone; UTC until <see cref="ResolveAsync"/> has heard from the browser.</summary>
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>Whether the browser has answered (the zone is theirs, or UTC because they could not say).</summary>
    public bool Known => _zone is { IsCompleted: true };

    /// <summary>Asks the browser for its time zone, once: every caller shares the one answer.</summary>
    public Task<TimeZoneInfo> ResolveAsync() => _zone ??= ReadZoneAsync();

    /// <summary>The time in words against now: "2 hours ago", "in 5 minutes".</summary>
    public string Relative(DateTimeOffset at) => at.Humanize(clock.GetUtcNow(), CultureInfo.InvariantCulture);

    /// <summary>The exact time in the viewer's zone, named: "2026-12-07 16:05:09 (Europe/Berlin, UTC+01:00)".</summary>
    public string Exact(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + $" ({Zone.Id}, UTC{local:zzz})";
    }

    private async Task<TimeZoneInfo> ReadZoneAsync()
    {
        try
        {
            // The browser's own Intl API, called through Blazor's interop: no script of the console's runs.
            await using var format = await js.InvokeAsync<IJSObjectReference>("Intl.DateTimeFormat");
            var options = await format.InvokeAsync<JsonElement>("resolvedOptions");
            if (options.TryGetProperty("timeZone", out var name) && name.GetString() is { } id
                && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            {
                Zone = zone;
            }
        }
        catch (JSException)
        {
            // A browser without the Intl API: times stay in UTC, and say so.
        }

        return Zone;
    }
}
