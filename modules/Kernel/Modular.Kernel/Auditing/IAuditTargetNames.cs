namespace Modular.Kernel.Auditing;

/// <summary>
/// Names what a module's audit entries point at, for the people who read a trail: "user:0193…" becomes the person's
/// address, "sso:0193…" the connection's name. A module registers one (scoped) for its own target prefixes; a trail's
/// page asks every registered one, without knowing the modules, and shows the raw target where none could name it
/// (something since deleted). Reads run in the caller's scope, so a tenant's trail names only that tenant's things.
/// </summary>
public interface IAuditTargetNames
{
    /// <summary>The names of those of <paramref name="targets"/> this module knows; the others are left out.</summary>
    Task<IReadOnlyDictionary<string, string>> NameAsync(IReadOnlyCollection<string> targets, CancellationToken cancellationToken);
}
