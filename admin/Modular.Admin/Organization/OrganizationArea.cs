namespace Modular.Admin.Organization;

/// <summary>
/// The part of the console a tenant's own people use for their tenant (members, roles, keys, webhooks, usage, audit,
/// settings), beside the operators' <c>/admin</c>. A page belongs to it by its path alone: that decides its
/// authorization policy and its layout, so a module's page joins the area by living under <see cref="Path"/>.
/// </summary>
public static class OrganizationArea
{
    public const string Path = "/org";

    /// <summary>Where a user picks another of their tenants (a new sign-in for it).</summary>
    public static string SwitchTo(Guid tenantId, string returnUrl = Path) =>
        $"{SignIn.AdminSignIn.SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}&tenant={tenantId}";

    /// <summary>Whether <paramref name="path"/> (absolute, or relative to the site's base) is in the area.</summary>
    public static bool Contains(string path)
    {
        var absolute = path.StartsWith('/') ? path : "/" + path;
        var end = absolute.IndexOfAny(['?', '#']);
        absolute = end < 0 ? absolute : absolute[..end];
        return absolute.Equals(Path, StringComparison.OrdinalIgnoreCase) || absolute.StartsWith(Path + "/", StringComparison.OrdinalIgnoreCase);
    }
}
