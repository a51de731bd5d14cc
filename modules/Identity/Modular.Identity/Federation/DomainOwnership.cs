using DnsClient;

namespace Modular.Identity.Federation;

/// <summary>Whether a domain publishes the TXT record that proves a tenant owns it. Tests replace it: they have no DNS.</summary>
public interface IDomainOwnershipVerifier
{
    Task<bool> HasRecordAsync(string name, string value, CancellationToken cancellationToken);
}

/// <summary>Looks the TXT record up in DNS (the BCL has no TXT lookup; DnsClient does).</summary>
internal sealed class DnsTxtVerifier : IDomainOwnershipVerifier
{
    private readonly LookupClient _dns = new(new LookupClientOptions { UseCache = false, Timeout = TimeSpan.FromSeconds(5), Retries = 1 });

    public async Task<bool> HasRecordAsync(string name, string value, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _dns.QueryAsync(name, QueryType.TXT, cancellationToken: cancellationToken);
            return answer.Answers.TxtRecords().Any(record => record.Text.Any(text => string.Equals(text.Trim(), value, StringComparison.Ordinal)));
        }
        catch (DnsResponseException)
        {
            return false;
        }
    }
}
