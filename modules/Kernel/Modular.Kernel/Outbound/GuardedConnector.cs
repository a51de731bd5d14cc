using System.Net;
using System.Net.Sockets;

namespace Modular.Kernel.Outbound;

/// <summary>Turns a host name into addresses; replaceable so tests can make a public-looking name resolve anywhere.</summary>
public interface IOutboundHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IOutboundHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>The connection went to an address the <see cref="OutboundAddressPolicy"/> refuses.</summary>
public sealed class RefusedAddressException(string host, IEnumerable<IPAddress> addresses)
    : HttpRequestException($"Refused to connect to '{host}': it resolves only to addresses the platform may not reach ({string.Join(", ", addresses)}).");

/// <summary>
/// The check at connect time, in <see cref="SocketsHttpHandler.ConnectCallback"/>: the name is
/// resolved here, once, and the connection made to an address that was checked. A name that resolved
/// to a public address when the endpoint was saved and to 127.0.0.1 now (DNS rebinding) is refused.
/// </summary>
public sealed class GuardedConnector(OutboundAddressPolicy policy, IOutboundHostResolver resolver)
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
