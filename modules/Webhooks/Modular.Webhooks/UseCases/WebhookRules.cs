using FluentValidation;
using Modular.Kernel.Outbound;
using Modular.Webhooks.Contracts;
using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;
using Modular.Webhooks.EventTypes;

namespace Modular.Webhooks.UseCases;

/// <summary>Validation rules shared by the commands that set an endpoint's URL, filters or headers.</summary>
internal static class WebhookRules
{
    public const int MaxHeaders = 20;
    public const int MaxEventTypes = 100;
    public const int MaxRateLimitPerSecond = 10_000;

    // The request's own framing and the signature headers are ours to set, never an endpoint's.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-type", "content-length", "transfer-encoding", "connection", "user-agent", "expect", "te", "upgrade", "keep-alive",
    };

    /// <summary>Why <paramref name="url"/> cannot be an endpoint, or null when it can.</summary>
    public static string? UrlProblem(string? url, WebhooksOptions options, OutboundAddressPolicy policy)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > WebhookEndpoint.UrlMaxLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "Give an absolute https:// URL.";
        }

        return policy.ProblemWith(uri, options.AllowHttp);
    }

    public static IRuleBuilderOptions<T, string?> EndpointUrl<T>(this IRuleBuilder<T, string?> rule, WebhooksOptions options, OutboundAddressPolicy policy) =>
        rule.Must((_, url, context) =>
        {
            var problem = UrlProblem(url, options, policy);
            context.MessageFormatter.AppendArgument("Problem", problem);
            return problem is null;
        }).WithMessage("{Problem}");

    public static IRuleBuilderOptions<T, IReadOnlyList<string>> KnownEventTypes<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule, EventTypeCatalog catalog) =>
        rule.Must(types => types.Count <= MaxEventTypes).WithMessage($"At most {MaxEventTypes} event types.")
            .Must((_, types, context) =>
            {
                var unknown = types.Where(t => !catalog.Contains(t)).ToList();
                context.MessageFormatter.AppendArgument("Unknown", string.Join(", ", unknown));
                return unknown.Count == 0;
            }).WithMessage("Unknown event types: {Unknown}. See GET " + WebhooksRoutes.EventTypes + ".");

    /// <summary>
    /// Custom headers must be sendable as written (RFC 9110): a token for a name, visible ASCII with inner
    /// spaces and tabs for a value. The HTTP client refuses anything else, so such a header would fail every
    /// delivery; each bad header is named in the answer.
    /// </summary>
    public static IRuleBuilderOptionsConditions<T, IReadOnlyDictionary<string, string>> CustomHeaders<T>(this IRuleBuilder<T, IReadOnlyDictionary<string, string>> rule) =>
        rule.Custom((headers, context) =>
        {
            if (headers.Count > MaxHeaders)
            {
                context.AddFailure($"At most {MaxHeaders} headers.");
                return;
            }

            foreach (var (name, value) in headers)
            {
                if (HeaderProblem(name, value) is { } problem)
                {
                    context.AddFailure($"Header '{(name.Length > MaxHeaderNameLength ? name[..MaxHeaderNameLength] + "…" : name)}': {problem}");
                }
            }
        });

    private const int MaxHeaderNameLength = 100;
    private const int MaxHeaderValueLength = 1000;

    private static string? HeaderProblem(string name, string? value)
    {
        if (name.Length is 0 or > MaxHeaderNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
        {
            return $"a name is an HTTP token (letters, digits and !#$%&'*+-.^_`|~) of at most {MaxHeaderNameLength} characters.";
        }

        if (ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
        {
            return "webhook-*, Host, Content-* and the connection headers are set by the platform.";
        }

        var visible = value is { Length: <= MaxHeaderValueLength } && value.All(c => c is (>= '!' and <= '~') or ' ' or '\t')
            && !value.StartsWith(' ') && !value.StartsWith('\t') && !value.EndsWith(' ') && !value.EndsWith('\t');
        return visible ? null : $"a value is at most {MaxHeaderValueLength} visible ASCII characters, with spaces and tabs only between them.";
    }
}
