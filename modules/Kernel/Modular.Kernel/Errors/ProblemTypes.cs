namespace Modular.Kernel.Errors;

/// <summary>
/// The stable <c>type</c> URIs of every problem-details response (RFC 9457). Clients switch on these;
/// never change one, only add.
/// </summary>
public static class ProblemTypes
{
    public const string Validation = "urn:modular:problem:validation";
    public const string MalformedRequest = "urn:modular:problem:malformed-request";
    public const string PayloadTooLarge = "urn:modular:problem:payload-too-large";
    public const string Unauthorized = "urn:modular:problem:unauthorized";
    public const string Forbidden = "urn:modular:problem:forbidden";
    public const string GrantNotHeld = "urn:modular:problem:grant-not-held"; // granting a permission or tenant access the caller lacks
    public const string TenantSuspended = "urn:modular:problem:tenant-suspended";
    public const string NotFound = "urn:modular:problem:not-found";
    public const string MethodNotAllowed = "urn:modular:problem:method-not-allowed";
    public const string Conflict = "urn:modular:problem:conflict";
    public const string LastOwner = "urn:modular:problem:last-owner"; // a tenant that has owners keeps one: its last cannot leave, go or step down
    public const string InvitationNotValid = "urn:modular:problem:invitation-not-valid"; // expired, revoked or already accepted: ask for a new one
    public const string InvitationForAnotherAddress = "urn:modular:problem:invitation-for-another-address"; // the signed-in account's confirmed email is not the invited one
    public const string UnsupportedMediaType = "urn:modular:problem:unsupported-media-type";
    public const string RateLimited = "urn:modular:problem:rate-limited";
    public const string QuotaExceeded = "urn:modular:problem:quota-exceeded";
    public const string Internal = "urn:modular:problem:internal";
    public const string Unavailable = "urn:modular:problem:unavailable";
    public const string HttpsRequired = "urn:modular:problem:https-required";

    /// <summary>The type for a status code that carries no more specific problem.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => MalformedRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        422 => Validation,
        429 => RateLimited,
        503 => Unavailable,
        _ => Internal,
    };
}
