using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Modular.Webhooks.Delivery;

/// <summary>
/// Which addresses a webhook may reach. Loopback, private, link-local (the cloud metadata address
/// among them), CGNAT, unique-local, multicast and unspecified addresses are refused unless inside an
/// allow-listed network; IPv4-mapped and IPv4-compatible IPv6 forms are judged as the IPv4 address
/// they carry, so <c>::ffff:127.0.0.1</c> is loopback too.
/// </summary>
internal sealed class AddressPolicy(IOptions<WebhooksOptions> options)
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
        IPNetwork.Parse("64:ff9b::/96"), // NAT64: would reach any IPv4 address, private ones included
        IPNetwork.Parse("fc00::/7"), // unique-local, and fd00:ec2::254 the metadata service
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    private readonly IPNetwork[] _allowed = [.. options.Value.AllowedNetworks.Select(IPNetwork.Parse)];

    public bool IsAllowed(IPAddress address)
    {
        var judged = Unwrap(address);
        if (_allowed.Any(network => network.Contains(judged) || network.Contains(address)))
        {
            return true;
        }

        return !Refused.Any(network => network.Contains(judged));
    }

    /// <summary>The IPv4 address an IPv4-mapped (<c>::ffff:a.b.c.d</c>) or -compatible (<c>::a.b.c.d</c>) address carries.</summary>
    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0);
        return compatible ? new IPAddress(bytes.AsSpan(12, 4)) : address;
    }
}

/// <summary>Turns a host name into addresses; replaceable so tests can make a public-looking name resolve anywhere.</summary>
internal interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>The connection went to an address the <see cref="AddressPolicy"/> refuses.</summary>
internal sealed class RefusedAddressException(string host, IEnumerable<IPAddress> addresses)
    : HttpRequestException($"Refused to connect to '{host}': it resolves only to addresses webhooks may not reach ({string.Join(", ", addresses)}).");

/// <summary>
/// The check at connect time, in <see cref="SocketsHttpHandler.ConnectCallback"/>: the name is
/// resolved here, once, and the connection made to an address that was checked. A name that resolved
/// to a public address when the endpoint was saved and to 127.0.0.1 now (DNS rebinding) is refused.
/// </summary>
internal sealed class GuardedConnector(AddressPolicy policy, IWebhookHostResolver resolver)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        var allowed = addresses.Where(policy.IsAllowed).ToArray();
        if (allowed.Length == 0)
        {
            throw new RefusedAddressException(host, addresses);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
