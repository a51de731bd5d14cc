using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Modular.Kernel.Tenancy;

public static class TenantEndpoints
{
    /// <summary>
    /// Platform endpoints (already guarded by a platform permission) work across tenants: their
    /// handlers may read and audit any tenant's rows. Tenant-facing endpoints never use this.
    /// </summary>
    public static TBuilder AcrossAllTenants<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter((context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<TenantScope>().EnterAllTenants();
            return next(context);
        });
}
