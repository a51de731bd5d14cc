using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Modules;
using Modular.Kernel.Persistence;
using Modular.Kernel.Security;
using Modular.Orders.Contracts;
using Modular.Orders.UseCases.CreateOrder;
using Modular.Orders.Persistence;

namespace Modular.Orders;

/// <summary>Orders: describe what this module owns.</summary>
public sealed class OrdersModule : IModule
{
    public string Name => "Orders";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<OrdersDbContext>(OrdersDbContext.SchemaName);
        services.AddDefaultGrants(new DefaultGrants(Operators: [OrdersPermissions.Read, OrdersPermissions.Manage]));
        services.AddValidatorsFromAssemblyContaining<OrdersModule>(includeInternalTypes: true);
    }

    public void MapEndpoints(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup(OrdersRoutes.Orders).WithTags("Orders");
        group.MapCreateOrder();
    }
}
