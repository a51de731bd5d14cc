using Modular.Features.Domain;
using Modular.Features.Evaluation;
using Modular.Features.Persistence;
using Modular.Kernel.Auditing;

namespace Modular.Features.UseCases;

/// <summary>The flag history every change of a flag or an override writes to.</summary>
internal static class FlagHistory
{
    /// <summary>Appends to the history, in the same transaction as the change.</summary>
    public static void Record(this FeaturesDbContext db, ICaller caller, string action, string key, Guid? tenantId, object? oldValue, object? newValue, string? reason, DateTimeOffset now) =>
        db.Changes.Add(FlagChange.Record(
            caller.Actor, action, key, tenantId,
            oldValue is null ? null : FlagJson.Serialize(oldValue),
            newValue is null ? null : FlagJson.Serialize(newValue),
            reason, now));
}
