namespace Modular.Admin.Tests;

/// <summary>Who signs in, as <c>test-user</c> cookie values.</summary>
public static class Users
{
    public static readonly string PlatformAdmin = TestSignIn.Describe("operator", ["platform.admin"]);

    /// <summary>Signed in, with a permission, but not a platform admin.</summary>
    public static readonly string TenantReader = TestSignIn.Describe("reader", ["tenants.read"]);
}
