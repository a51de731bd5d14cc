using System.Text;
using System.Text.Json;

namespace Modular.Host.Tests.Fuzzing;

/// <summary>One operation of the host's OpenAPI document: its method, path template, parameters and body.</summary>
internal sealed record ApiOperation(
    string Method, string Template, IReadOnlyList<ApiParameter> Parameters, JsonElement? BodySchema, IReadOnlyList<string> MediaTypes)
{
    public string Name => $"{Method} {Template}";

    public IEnumerable<ApiParameter> InPath => Parameters.Where(p => p.In == "path");

    public IEnumerable<ApiParameter> InQuery => Parameters.Where(p => p.In == "query");

    /// <summary>Every operation of the document, reads first and deletes last (so deletions cut the fewest cases short).</summary>
    public static List<ApiOperation> AllOf(JsonElement document) =>
    [
        .. from path in document.GetProperty("paths").EnumerateObject()
           from operation in path.Value.EnumerateObject()
           where operation.Name is "get" or "post" or "put" or "patch" or "delete"
           let method = operation.Name.ToUpperInvariant()
           orderby method switch { "GET" => 0, "DELETE" => 2, _ => 1 }, path.Name
           select From(method, path.Name, operation.Value),
    ];

    private static ApiOperation From(string method, string template, JsonElement operation)
    {
        var parameters = operation.TryGetProperty("parameters", out var list)
            ? list.EnumerateArray().Select(p => new ApiParameter(
                p.GetProperty("name").GetString()!,
                p.GetProperty("in").GetString()!,
                p.TryGetProperty("schema", out var schema) ? schema : default)).ToList()
            : [];
        JsonElement? body = null;
        List<string> mediaTypes = [];
        if (operation.TryGetProperty("requestBody", out var requestBody) && requestBody.TryGetProperty("content", out var content))
        {
            foreach (var media in content.EnumerateObject())
            {
                mediaTypes.Add(media.Name);
                body ??= media.Value.TryGetProperty("schema", out var schema) ? schema : default;
            }
        }

        return new ApiOperation(method, template, parameters, body, mediaTypes);
    }
}

internal sealed record ApiParameter(string Name, string In, JsonElement Schema);

/// <summary>A request the fuzzer sends; <see cref="ToString"/> is its reproduction.</summary>
internal sealed record FuzzRequest(string Method, string PathAndQuery, string? ContentType, byte[]? Body)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), PathAndQuery);
        if (Body is not null)
        {
            // A body past Kestrel's limit is refused (413) before it is read; announced, it is not sent into a closed connection.
            message.Headers.ExpectContinue = Body.Length > 64 * 1024;
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return message;
    }

    /// <summary>Whether the request itself carries <paramref name="text"/> (an answer echoing it leaks nothing).</summary>
    public bool Carries(string text) =>
        Uri.UnescapeDataString(PathAndQuery).Contains(text, StringComparison.OrdinalIgnoreCase)
        || (Body is not null && Encoding.UTF8.GetString(Body).Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>Control characters as \uXXXX escapes, so a reproduction shows them.</summary>
    private static string Visible(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) && c is not '\n' ? $"\\u{(int)c:x4}" : c.ToString()));

    public override string ToString()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body);
        body = body.Length > 2000 ? body[..2000] + $"… ({body.Length} characters)" : body;
        return $"{Method} {PathAndQuery}{(ContentType is null ? "" : "\nContent-Type: " + ContentType)}{(Body is null ? "" : "\n\n" + Visible(body))}";
    }
}
