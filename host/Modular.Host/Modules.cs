using Modular.Features;
using Modular.Identity;
using Modular.Kernel.Messaging;
using Modular.Kernel.Modules;
using Modular.Metering;
using Modular.Tenants;
using Modular.Webhooks;

namespace Modular.Host;

/// <summary>
/// The modules this host is made of: the one place to add or remove one. A listed module can still be
/// switched off by configuration (<c>Modules:{Name}:Enabled = false</c>).
/// </summary>
internal static class Modules
{
    public static IModule[] All =>
    [
        new TenantsModule(),
        new IdentityModule(),
        new FeaturesModule(),
        new WebhooksModule(),
        new MeteringModule(),
    ];

    /// <summary>
    /// The mediator is source-generated over the same modules (implementation and contracts), with the
    /// kernel's behaviours in order: trace/log → validate → save the unit of work.
    /// </summary>
    public static IServiceCollection AddModuleMessaging(this IServiceCollection services) =>
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies =
            [
                typeof(TenantsModule), typeof(Tenants.Contracts.CreateTenant),
                typeof(IdentityModule), typeof(Identity.Contracts.CountTenantMembers),
                typeof(FeaturesModule), typeof(Features.Contracts.IsFeatureEnabled),
                typeof(WebhooksModule), typeof(Webhooks.Contracts.SendWebhookMessage),
                typeof(MeteringModule), typeof(Metering.Contracts.RecordUsage),
            ];
            options.PipelineBehaviors =
            [
                typeof(LoggingBehavior<,>),
                typeof(ValidationBehavior<,>),
                typeof(UnitOfWorkBehavior<,>),
            ];
        });
}
