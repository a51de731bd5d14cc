using MudBlazor;

namespace Modular.Admin.Components.Layout;

/// <summary>
/// MudBlazor's palettes, light and dark, with status colours dark enough for white text (WCAG AA, 4.5:1): the defaults
/// put white on #00c853 (2.2:1) in every status chip; the dark defaults put #776be7 links on #32333d (3:1). Checked by the
/// accessibility sweep (axe-core) in the browser tests, in both themes.
/// </summary>
internal static class ConsoleTheme
{
    /// <summary>Text on the dark theme's light fills.</summary>
    private const string Ink = "#121212";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Success = "#2e7d32",
            Warning = "#b45309",
            Info = "#0b6bcb",
            Error = "#c62828",
            Secondary = "#c2185b",
        },
        // In the dark the colours are text on a dark page as often as backgrounds (links, text buttons, alerts, the active
        // page in the menu): light tones that pass 4.5:1 on the dark surfaces, with dark text on them where they fill.
        PaletteDark = new PaletteDark
        {
            Primary = "#a8a0ff",
            PrimaryContrastText = Ink,
            Secondary = "#ff80ab",
            SecondaryContrastText = Ink,
            Success = "#81c784",
            SuccessContrastText = Ink,
            Warning = "#ffb74d",
            WarningContrastText = Ink,
            Info = "#64b5f6",
            InfoContrastText = Ink,
            Error = "#ff8a80",
            ErrorContrastText = Ink,
            TextSecondary = "rgba(255,255,255,0.70)",
        },
    };
}
