using System.Net;
using System.Net.Sockets;

namespace Modular.Kernel.Outbound;

/// <summary>
/// Which addresses the platform's outbound connections (webhook deliveries, an identity provider's discovery and keys)
/// may reach. Loopback, private, link-local (the cloud metadata address
/// among them), CGNAT, unique-local, multicast and unspecified addresses are refused unless inside an
/// allow-listed network. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4,
/// Teredo) are judged by the IPv4 addresses they carry too, so <c>::ffff:127.0.0.1</c> and
/// <c>2002:7f00:1::</c> are loopback.
/// </summary>
public sealed class OutboundAddressPolicy(IEnumerable<string> allowedNetworks)
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network"
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), // link-local, and 169.254.169.254 the metadata service
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, and the broadcast address
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        // Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the prefix length the network
        // chose (RFC 6052), which cannot be known from here, so the address cannot be judged.
        IPNetwork.Parse("64:ff9b:1::/48"),
        IPNetwork.Parse("fc00::/7"), // unique-local, and fd00:ec2::254 the metadata service
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Teredo = IPNetwork.Parse("2001::/32");

    private readonly IPNetwork[] _allowed = [.. allowedNetworks.Select(IPNetwork.Parse)];

    /// <summary>
    /// Why the platform may not call <paramref name="uri"/>, or null when it may: the scheme, credentials or a fragment
    /// in it, or a host that is a refused address or this machine. A host name is judged again at every connect
    /// (<see cref="GuardedConnector"/>), where it resolves.
    /// </summary>
    public string? ProblemWith(Uri uri, bool allowHttp)
    {
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && allowHttp))
        {
            return allowHttp ? "Use an https:// or http:// URL." : "Use an https:// URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "Credentials in the URL are not accepted.";
        }

        if (uri.Fragment.Length > 0)
        {
            return "A URL with a #fragment is not accepted.";
        }

        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && !IsAllowed(address))
        {
            return "The URL points at a private, loopback or link-local address.";
        }

        var host = uri.IdnHost.TrimEnd('.');
        if ((host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            && !IsAllowed(IPAddress.Loopback))
        {
            return "The URL points at this machine.";
        }

        return null;
    }

    public bool IsAllowed(IPAddress address) =>
        IsAllowListed(address) || (!IsRefused(address) && Carried(address).All(v4 => IsAllowListed(v4) || !IsRefused(v4)));

    private bool IsAllowListed(IPAddress address) => _allowed.Any(network => network.Contains(address));

    private static bool IsRefused(IPAddress address) => Refused.Any(network => network.Contains(address));

    /// <summary>
    /// The IPv4 addresses an IPv6 address carries: IPv4-mapped <c>::ffff:a.b.c.d</c> and -compatible
    /// <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::a.b.c.d</c> (RFC 6052), 6to4 <c>2002:AABB:CCDD::</c> (RFC 3056, bits
    /// 16–47), and Teredo's server (bits 32–63) and client (the last 32 bits, inverted; RFC 4380).
    /// </summary>
    private static IPAddress[] Carried(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return [];
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return [address.MapToIPv4()];
        }

        var bytes = address.GetAddressBytes();
        var compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0);
        if (compatible || Nat64.Contains(address))
        {
            return [new IPAddress(bytes.AsSpan(12, 4))];
        }

        if (SixToFour.Contains(address))
        {
            return [new IPAddress(bytes.AsSpan(2, 4))];
        }

        if (Teredo.Contains(address))
        {
            var client = bytes.AsSpan(12, 4).ToArray();
            foreach (ref var b in client.AsSpan())
            {
                b = (byte)~b;
            }

            return [new IPAddress(bytes.AsSpan(4, 4)), new IPAddress(client)];
        }

        return [];
    }
}
