using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Modular.Kernel.Persistence;

namespace Modular.Kernel.Cluster;

public static class CacheInvalidationOnSave
{
    /// <summary>
    /// Whenever a save of <typeparamref name="TContext"/> carries changes that make cached entries stale, every instance
    /// drops them once the save commits, however it came about: <paramref name="staleTags"/> names their tags from the
    /// context's tracked changes (none: nothing to drop). No use case can forget it.
    /// </summary>
    public static IServiceCollection InvalidateCacheOnCommit<TContext>(this IServiceCollection services, Func<TContext, IEnumerable<string>> staleTags)
        where TContext : ModuleDbContext =>
        services.ConfigureDbContext<TContext>((sp, options) => options.AddInterceptors(new Interceptor<TContext>(sp.GetRequiredService<ClusterCache>(), staleTags)));

    private sealed class Interceptor<TContext>(ClusterCache cache, Func<TContext, IEnumerable<string>> staleTags) : SaveChangesInterceptor
        where TContext : ModuleDbContext
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Note(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Note(eventData.Context);
            return ValueTask.FromResult(result);
        }

        private void Note(DbContext? context)
        {
            if (context is TContext db && staleTags(db).Distinct().ToArray() is { Length: > 0 } tags)
            {
                cache.InvalidateOnCommit(db, tags);
            }
        }
    }
}
