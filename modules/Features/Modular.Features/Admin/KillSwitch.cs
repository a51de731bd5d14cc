using Modular.Features.Contracts;
using Modular.Kernel.Errors;
using Modular.Kernel.Messaging;
using MudBlazor;

namespace Modular.Features.Admin;

/// <summary>The kill switch as the console works it: always confirmed, with a reason for the history.</summary>
internal static class KillSwitch
{
    /// <summary>The reason given, or null when the operator backed out.</summary>
    public static async Task<string?> ConfirmAsync(IDialogService dialogs, string key, bool on)
    {
        var parameters = new DialogParameters<KillSwitchDialog> { { d => d.Key, key }, { d => d.TurningOn, on } };
        var dialog = await dialogs.ShowAsync<KillSwitchDialog>(on ? $"Turn {key} on?" : $"Kill {key}?", parameters);
        return await dialog.Result is { Canceled: false, Data: string reason } ? reason : null;
    }

    public static async Task<FlagDto?> RunAsync(ScopedSender sender, ISnackbar snackbar, SetFlagEnabled command)
    {
        try
        {
            var flag = await sender.Send(command);
            snackbar.Add(command.Enabled ? $"{command.Key} is on" : $"{command.Key} is off everywhere", Severity.Success);
            return flag;
        }
        catch (ProblemException problem)
        {
            snackbar.Add(problem.Message, Severity.Error);
            return null;
        }
    }
}

/// <summary>How a flag's rules read in one line.</summary>
internal static class FlagSummary
{
    public static string Of(FlagDto flag)
    {
        var rules = flag.Filters.Select(f => f.Name.Split('.')[^1]).ToList();
        if (flag.Overrides.Count > 0)
        {
            rules.Add($"{flag.Overrides.Count} tenant override{(flag.Overrides.Count == 1 ? "" : "s")}");
        }

        return rules.Count == 0 ? "everyone" : string.Join(", ", rules);
    }
}
