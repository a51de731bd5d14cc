using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Identity.Persistence;
using Modular.Kernel.Persistence;
using Modular.Tenants.Contracts;

namespace Modular.Identity.UseCases.CompleteSignUp;

/// <summary>
/// A signed-up tenant that starts serving — its owner confirmed, or an operator activated it — is no longer a pending
/// sign-up in the operators' list.
/// </summary>
public sealed class SignUpActivated(IdentityDbContext db, TimeProvider clock) : INotificationHandler<TenantActivated>
{
    public async ValueTask Handle(TenantActivated notification, CancellationToken cancellationToken)
    {
        if (await db.SignUps.FirstOrDefaultAsync(s => s.TenantId == notification.TenantId, cancellationToken) is { } signUp)
        {
            signUp.Activate(clock.GetUtcNow());
            await db.CommitAsync(cancellationToken);
        }
    }
}
