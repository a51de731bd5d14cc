using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Modular.Kernel.Cluster;
using Modular.Kernel.Modules;
using Modular.Kernel.Outbound;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Kernel.Tenancy;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.EventTypes;
using Modular.Webhooks.Persistence;
using Modular.Webhooks.UseCases.CreateWebhookEndpoint;
using Modular.Webhooks.UseCases.DeleteWebhookEndpoint;
using Modular.Webhooks.UseCases.DisableWebhookEndpoint;
using Modular.Webhooks.UseCases.EnableWebhookEndpoint;
using Modular.Webhooks.UseCases.ForwardTenantEvents;
using Modular.Webhooks.UseCases.GetWebhookEndpoint;
using Modular.Webhooks.UseCases.GetWebhookEndpointActivity;
using Modular.Webhooks.UseCases.GetWebhookMessage;
using Modular.Webhooks.UseCases.ListWebhookEndpoints;
using Modular.Webhooks.UseCases.ListWebhookEventTypes;
using Modular.Webhooks.UseCases.ListWebhookMessages;
using Modular.Webhooks.UseCases.RecoverWebhookEndpoint;
using Modular.Webhooks.UseCases.ResendWebhookMessage;
using Modular.Webhooks.UseCases.RotateWebhookEndpointSecret;
using Modular.Webhooks.UseCases.SendWebhookMessage;
using Modular.Webhooks.UseCases.SendWebhookTestEvent;
using Modular.Webhooks.UseCases.StreamTenantEvents;
using Modular.Webhooks.UseCases.UpdateWebhookEndpoint;
using Polly;

namespace Modular.Webhooks;

/// <summary>
/// Webhooks: signed (Standard Webhooks), retried, crash-safe deliveries of events to the endpoints
/// tenants register, with SSRF protection at connect time. See docs/adr/0010-webhooks.md.
/// </summary>
public sealed class WebhooksModule : IModule
{
    /// <summary>The key of webhooks' <see cref="OutboundAddressPolicy"/> among other modules' (each has its own allow-list).</summary>
    internal const string AddressPolicyKey = "webhooks";

    public string Name => "Webhooks";

    public IReadOnlyList<Type> DashboardCards { get; } = [typeof(Admin.WebhooksDashboardCard)];

    public IReadOnlyList<AdminLink> AdminLinks { get; } =
        [new("Webhooks", WebhooksRoutes.ConsoleWebhooks, MudBlazor.Icons.Material.Filled.Webhook)];

    /// <summary>The tenant's own endpoints and message log; reading them is the minimum, changing them needs manage.</summary>
    public IReadOnlyList<OrganizationLink> OrganizationLinks { get; } =
        [new("Webhooks", WebhooksRoutes.OrganizationWebhooks, WebhooksPermissions.Read, MudBlazor.Icons.Material.Filled.Webhook)];

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<WebhooksDbContext>(WebhooksDbContext.SchemaName);
        // Webhook permissions act inside the caller's tenant only (the tenant filter and RLS see to it).
        services.AddDefaultGrants(new DefaultGrants(
            Operators: [WebhooksPermissions.Read, WebhooksPermissions.Manage],
            TenantAdmins: [WebhooksPermissions.Read, WebhooksPermissions.Manage]));
        services.AddValidatorsFromAssemblyContaining<WebhooksModule>(includeInternalTypes: true);
        services.AddScoped<IConsoleSearch, Admin.WebhooksConsoleSearch>();
        services.Configure<WebhooksOptions>(configuration.GetSection(WebhooksOptions.Section));

        // The catalog: this module's own types; other modules add theirs the same way.
        services.AddSingleton(new WebhookEventType(WebhookEventTypes.Test, "A test event sent on request to one endpoint.", """{"endpointId":"0194f3a2-0000-7000-8000-000000000000","message":"A test event from the platform."}"""));
        foreach (var type in TenantEventWebhooks.EventTypes)
        {
            services.AddSingleton(type);
        }

        services.AddSingleton<EventTypeCatalog>();
        services.AddDataProtection(); // the identity module persists the key ring; this only makes sure it exists
        services.AddSingleton<EndpointSecrets>();
        // The kernel's outbound rules, with webhooks' own allow-list (Webhooks:AllowedNetworks).
        services.AddKeyedSingleton(AddressPolicyKey, (sp, _) => new OutboundAddressPolicy(sp.GetRequiredService<IOptions<WebhooksOptions>>().Value.AllowedNetworks));
        services.AddScoped<MessageFanOut>();
        services.AddSingleton<DeliverySignal>();
        services.AddSingleton<TenantEventSignal>();
        services.AddSingleton<IClusterListener>(sp => sp.GetRequiredService<TenantEventSignal>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookRetention>();
        services.AddHostedService<WebhookDeliveryWorker>();

        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // a redirect could lead anywhere, past the address check's intent
                UseCookies = false,
                UseProxy = false, // a proxy would connect for us, and the address check would be skipped
                ConnectCallback = new GuardedConnector(
                    sp.GetRequiredKeyedService<OutboundAddressPolicy>(AddressPolicyKey), sp.GetRequiredService<IOutboundHostResolver>()).ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .RemoveAllLoggers() // every attempt is recorded in the attempts table already
            .AddResilienceHandler("webhook-delivery", (pipeline, context) =>
                pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<WebhooksOptions>>().Value.Timeout));
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        // A tenant's own endpoints and messages, as resolved from the caller's token (or X-Tenant).
        var webhooks = api.MapGroup(WebhooksRoutes.Webhooks).WithTags("Webhooks");
        webhooks.MapListWebhookEndpoints();
        webhooks.MapGetWebhookEndpoint();
        webhooks.MapGetWebhookEndpointActivity();
        webhooks.MapListWebhookEventTypes();
        webhooks.MapCreateWebhookEndpoint();
        webhooks.MapUpdateWebhookEndpoint();
        webhooks.MapRotateWebhookEndpointSecret();
        webhooks.MapEnableWebhookEndpoint();
        webhooks.MapDisableWebhookEndpoint();
        webhooks.MapDeleteWebhookEndpoint();
        webhooks.MapSendWebhookMessage();
        webhooks.MapSendWebhookTestEvent();
        webhooks.MapListWebhookMessages();
        webhooks.MapGetWebhookMessage();
        webhooks.MapResendWebhookMessage();
        webhooks.MapRecoverWebhookEndpoint();

        api.MapStreamTenantEvents();

        // Platform operators: across tenants.
        var platform = api.MapGroup(WebhooksRoutes.Platform).WithTags("Webhooks").AcrossAllTenants();
        platform.MapListAllWebhookEndpoints();
    }
}
