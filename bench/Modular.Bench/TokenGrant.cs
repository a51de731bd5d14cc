namespace Modular.Bench;

/// <summary>One token request to the host's token endpoint, as the grant benchmarks make it.</summary>
internal static class TokenGrant
{
    /// <summary>Posts the form and returns the response's length; a refused grant throws, for its figure would mean nothing.</summary>
    public static async Task<int> RequestAsync(HttpClient client, Dictionary<string, string> form)
    {
        using var request = new FormUrlEncodedContent(form);
        using var response = await client.PostAsync("/connect/token", request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }
}
