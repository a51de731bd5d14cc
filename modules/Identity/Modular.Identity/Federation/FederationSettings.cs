namespace Modular.Identity.Federation;

/// <summary><c>Identity:Federation</c>: how far the platform reaches for its tenants' identity providers.</summary>
internal sealed class FederationSettings
{
    public const string Section = "Identity:Federation";

    /// <summary>Networks an issuer may resolve into although private (e.g. <c>10.0.0.0/8</c> for an IdP inside the VPC); none by default.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Accept <c>http://</c> issuers: development and tests only.</summary>
    public bool AllowHttpIssuers { get; set; }

    /// <summary>How long one request to a provider (discovery, keys, token, userinfo) may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest response read from a provider: a discovery document or key set is a few kilobytes.</summary>
    public int MaxResponseBytes { get; set; } = 512 * 1024;
}
