namespace Modular.Kernel.Modules;

/// <summary>
/// What a module finds for the admin console's command palette (Ctrl+K, "/"): its own things that match what the
/// operator typed, each linking to its page in the console. The palette asks every registered one and shows their hits
/// grouped by <see cref="ConsoleSearchHit.Kind"/>, without knowing the modules, as the dashboard shows
/// <see cref="IModule.DashboardCards"/>. A module registers one in <see cref="IModule.AddServices"/> (scoped: it lives in
/// the console's circuit) and answers through its own queries, sent with <c>ScopedSender</c>, so the tenant scope and the
/// permission checks of its console pages apply to the palette too.
/// </summary>
public interface IConsoleSearch
{
    /// <summary>
    /// At most <paramref name="limit"/> hits for <paramref name="text"/> (trimmed, never empty, at most
    /// <see cref="ConsoleSearch.MaxTextLength"/> characters), best first; none when the operator may not read them.
    /// </summary>
    Task<IReadOnlyList<ConsoleSearchHit>> SearchAsync(string text, int limit, CancellationToken cancellationToken);
}

/// <summary>One thing the palette found.</summary>
/// <param name="Kind">The group the palette lists it under, e.g. "Tenants" or "Meters".</param>
/// <param name="Title">What it is called (a name, a key, an address).</param>
/// <param name="Detail">A second line that tells it apart (a slug, a description), or null.</param>
/// <param name="Href">Its page in the console, an absolute path under <c>/admin</c>.</param>
public sealed record ConsoleSearchHit(string Kind, string Title, string? Detail, string Href);

/// <summary>The palette's limits, which every source's list query accepts.</summary>
public static class ConsoleSearch
{
    /// <summary>The longest text the palette sends: the list queries' validators refuse longer searches.</summary>
    public const int MaxTextLength = 100;

    /// <summary>Hits the palette asks of each source.</summary>
    public const int HitsPerSource = 5;
}
