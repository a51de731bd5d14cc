using FluentValidation;
using Mediator;
using Modular.Kernel.Errors;

namespace Modular.Kernel.Messaging;

/// <summary>
/// Checks the message's shape (<see cref="MessageShape"/>), then runs every FluentValidation validator registered
/// for it, before its handler; failures become one <see cref="RequestValidationException"/> (→ 400 problem details
/// naming each field).
/// </summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        // First what binding let through against the message's own types: validators rightly assume it away.
        if (MessageShape.Problems(message) is { Count: > 0 } malformed)
        {
            throw new RequestValidationException(malformed);
        }

        Dictionary<string, List<string>>? errors = null;
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            foreach (var failure in result.Errors)
            {
                errors ??= [];
                var field = JsonFieldName(failure.PropertyName);
                if (!errors.TryGetValue(field, out var messages))
                {
                    errors[field] = messages = [];
                }

                messages.Add(failure.ErrorMessage);
            }
        }

        if (errors is not null)
        {
            throw new RequestValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }

        return await next(message, cancellationToken);
    }

    /// <summary>"Address.PostCode" → "address.postCode": the names callers see in the JSON body.</summary>
    private static string JsonFieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
