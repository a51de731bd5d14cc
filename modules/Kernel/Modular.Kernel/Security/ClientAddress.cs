using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Modular.Kernel.Security;

/// <summary>
/// "An address" for the rate limits: the caller's IP — behind a proxy the one it reports, when
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> is set —, and for IPv6 its /64: one subscriber holds the whole
/// block, so walking through it must not buy fresh limits.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }
}
