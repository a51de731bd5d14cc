using System.Net;
using System.Text.Json;
using Xunit;

namespace Modular.Testing;

public static class Problems
{
    /// <summary>
    /// Asserts an RFC 9457 response: the status, <c>application/problem+json</c>, the stable type and a
    /// traceId; returns the body for further checks.
    /// </summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _), "every problem carries a traceId to quote");
        return problem;
    }

    /// <summary>Asserts the problem names <paramref name="field"/> among its errors.</summary>
    public static void AssertNamesField(this JsonElement problem, string field) =>
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
}

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds (30 s at most): for work done after commit.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within 30 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
