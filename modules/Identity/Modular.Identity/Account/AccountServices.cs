using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Modular.Identity.Configuration;
using Modular.Identity.Domain;
using Modular.Identity.Email;
using Modular.Identity.UseCases;

namespace Modular.Identity.Account;

internal static class AccountServices
{
    /// <summary>Self-service accounts: the <c>Identity</c> section's switches and the account emails.</summary>
    public static IServiceCollection AddAccountSelfService(this IServiceCollection services, IConfigurationSection identity)
    {
        services.Configure<AccountSettings>(identity);
        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountSettings>>((options, account) =>
            options.SignIn.RequireConfirmedEmail = account.Value.RequireConfirmedEmail);
        services.AddScoped<OutboxEmailSender>();
        services.AddScoped<IEmailSender<User>>(sp => sp.GetRequiredService<OutboxEmailSender>());
        services.AddSingleton<AccountEmails>();
        services.AddScoped(sp => new InvitationLinks(
            sp.GetRequiredService<AccountEmails>(), sp.GetRequiredService<IOptions<IdentitySettings>>(), sp.GetRequiredService<IHttpContextAccessor>()));
        services.AddScoped(sp => new PasswordLinks(
            sp.GetRequiredService<AccountEmails>(), sp.GetRequiredService<IOptions<IdentitySettings>>(), sp.GetRequiredService<IHttpContextAccessor>()));
        services.AddHostedService(sp => sp.GetRequiredService<AccountEmails>());
        services.AddSingleton<IEmailDelivery>(sp => sp.GetRequiredService<IOptions<AccountSettings>>().Value.Email.Smtp.Host is { Length: > 0 }
            ? ActivatorUtilities.CreateInstance<SmtpEmailDelivery>(sp)
            : ActivatorUtilities.CreateInstance<LogEmailDelivery>(sp));
        return services;
    }
}
