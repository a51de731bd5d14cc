using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;
using Modular.Identity.Email;

namespace Modular.Identity.Account;

internal static class AccountServices
{
    /// <summary>Self-service accounts: the <c>Identity</c> section's switches and the account emails.</summary>
    public static IServiceCollection AddAccountSelfService(this IServiceCollection services, IConfigurationSection identity)
    {
        services.Configure<AccountSettings>(identity);
        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountSettings>>((options, account) =>
            options.SignIn.RequireConfirmedEmail = account.Value.RequireConfirmedEmail);
        services.AddScoped<IEmailSender<User>, OutboxEmailSender>();
        services.AddSingleton<AccountEmails>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountEmails>());
        services.AddSingleton<IEmailDelivery>(sp => sp.GetRequiredService<IOptions<AccountSettings>>().Value.Email.Smtp.Host is { Length: > 0 }
            ? ActivatorUtilities.CreateInstance<SmtpEmailDelivery>(sp)
            : ActivatorUtilities.CreateInstance<LogEmailDelivery>(sp));
        return services;
    }
}
