using Modular.Kernel.Tenancy;

namespace Modular.Orders.Domain;

/// <summary>The sample entity of the module.</summary>
[PlatformWide("The sample is shared by every tenant; a real entity of a SaaS module is usually ITenantOwned.")]
public sealed class Order
{
    public const int NameMaxLength = 200;

    private Order()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public static Order Create(string name, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name.Trim(),
        CreatedAt = now,
    };
}
