using MudBlazor;

namespace Modular.Admin.Components.Layout;

/// <summary>
/// MudBlazor's palettes, light and dark, with status colours dark enough for white text (WCAG AA, 4.5:1): the defaults
/// put white on #00c853 (2.2:1) in every status chip. Checked by the accessibility sweep (axe-core) in the browser tests.
/// </summary>
internal static class ConsoleTheme
{
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
        // The same status colours in the dark: white text on them passes there too.
        PaletteDark = new PaletteDark
        {
            Success = "#2e7d32",
            Warning = "#b45309",
            Info = "#0b6bcb",
            Error = "#c62828",
        },
    };
}
