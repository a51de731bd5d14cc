namespace Modular.Kernel.Errors;

/// <summary>
/// Expected failures a handler reports by throwing; the kernel's exception handler turns each into a
/// problem-details response. Messages are written for the API's callers, so they must never carry
/// internals (SQL, stack traces, secrets).
/// </summary>
public abstract class ProblemException(string title, string detail) : Exception(detail)
{
    public string Title { get; } = title;

    public abstract int Status { get; }

    public abstract string Type { get; }
}

/// <summary>The resource does not exist, or the caller may not know that it does.</summary>
public sealed class NotFoundException(string resource, object id)
    : ProblemException("Not found", $"{resource} '{id}' was not found.")
{
    public override int Status => 404;

    public override string Type => ProblemTypes.NotFound;
}

/// <summary>The request conflicts with the current state (a duplicate key, a stale version).</summary>
public sealed class ConflictException(string detail) : ProblemException("Conflict", detail)
{
    public override int Status => 409;

    public override string Type => ProblemTypes.Conflict;
}

/// <summary>The caller tried to grant a permission, or access to a tenant, that it does not hold itself (see <c>GrantCheck</c>).</summary>
public sealed class GrantNotHeldException(string detail) : ProblemException("Forbidden", detail)
{
    public override int Status => 403;

    public override string Type => ProblemTypes.GrantNotHeld;
}

/// <summary>Input failed validation; <see cref="Errors"/> maps each bad field to its messages.</summary>
public sealed class RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
    : ProblemException("The request is invalid", "One or more fields are invalid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public override int Status => 400;

    public override string Type => ProblemTypes.Validation;
}
