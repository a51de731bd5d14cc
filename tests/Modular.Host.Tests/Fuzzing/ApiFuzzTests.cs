using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modular.Features.Contracts;
using Modular.Identity.Contracts;
using Modular.Kernel.Persistence;
using Modular.Metering.Contracts;
using Modular.Tenants.Contracts;
using Modular.Webhooks.Contracts;

namespace Modular.Host.Tests.Fuzzing;

/// <summary>
/// Every operation of <c>/openapi/v1.json</c>, read from the running host (a new operation is fuzzed without
/// editing this test), gets a fixed number of generated requests from a caller holding every permission the
/// API asks for, bound to a tenant, on a host seeded with data in every module. No answer may be a 5xx, carry
/// a stack trace or SQL, or be a 4xx without problem details. The run is deterministic: its seed is fixed
/// (<c>MODULAR_FUZZ_SEED</c> changes it, <c>MODULAR_FUZZ_CASES</c> runs more cases per operation,
/// <c>MODULAR_FUZZ_OPERATION</c> keeps the operations whose name contains it), and a failure is shrunk by
/// CsCheck and reported as the request that reproduces it.
/// </summary>
public sealed class ApiFuzzTests(PostgresServer postgres)
{
    private const string Tenant = "acme";
    private const int ShrinkAttempts = 60;

    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("MODULAR_FUZZ_CASES"), out var cases) ? cases : 80;
    private static readonly ulong Seed = ulong.TryParse(Environment.GetEnvironmentVariable("MODULAR_FUZZ_SEED"), out var seed) ? seed : 20261206;
    private static readonly string? OnlyOperation = Environment.GetEnvironmentVariable("MODULAR_FUZZ_OPERATION");

    /// <summary>Text no legitimate answer contains unless the request put it there: stack frames, exception names, SQL.</summary>
    private static readonly string[] Leaks =
        ["   at ", "Exception", "Npgsql", "SQLite", "SELECT ", "INSERT INTO", "syntax error", "System.Text.Json", "EntityFrameworkCore", "StackTrace"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task No_generated_request_to_any_operation_gets_a_5xx_or_an_answer_that_leaks(DatabaseProvider provider)
    {
        await using var host = await ModularHost.StartAsync(provider, postgres, new Dictionary<string, string?>
        {
            ["Webhooks:DeliveryEnabled"] = "false", // no delivery to a fuzzed URL leaves the machine
            ["Identity:SeedAdmin:Email"] = "admin@fuzz.example",
            ["Identity:SeedAdmin:Password"] = "Fuzz-Passw0rd!",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var errors = new HostErrors();
        host.WithServices(services => services.AddSingleton<ILoggerProvider>(errors));
        host.UseKestrel(0); // the attacker's way in: real HTTP, Kestrel's own limits included
        host.StartServer();
        var document = (await host.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct))!;
        var operations = ApiOperation.AllOf(document);
        var examples = new FuzzExamples();
        var caller = await SeedAsync(host, operations, examples);
        var generator = new RequestGenerator(document, examples);

        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in operations.Where(o => OnlyOperation is null || o.Name.Contains(OnlyOperation, StringComparison.OrdinalIgnoreCase)))
        {
            var requests = generator.For(operation);
            var stream = StableHash(operation.Name);
            for (var i = 0; i < Cases; i++)
            {
                var caseSeed = new PCG(stream, Seed + (ulong)i).ToString();
                var request = requests.Generate(PCG.Parse(caseSeed), null, out _);
                sent++;
                var logged = errors.Count;
                if (await ProblemWithAsync(caller, request) is { } problem)
                {
                    failures.Add($"""
                        {operation.Name}, case seed {caseSeed}:
                        {request}
                        → {problem}
                        {string.Join('\n', errors.Since(logged))}
                        Shrunk: {await ShrinkAsync(caller, requests, caseSeed)}
                        """);
                    break;
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{sent} requests to {operations.Count} operations in {clock.Elapsed.TotalSeconds:0.0} s on {provider} (MODULAR_FUZZ_SEED={Seed}, MODULAR_FUZZ_CASES={Cases})");
        Assert.True(failures.Count == 0, $"MODULAR_FUZZ_SEED={Seed} MODULAR_FUZZ_CASES={Cases} on {provider}: {failures.Count} operations failed.\n\n{string.Join("\n\n", failures)}");
    }

    /// <summary>Why the answer to <paramref name="request"/> is wrong, or null.</summary>
    private static async Task<string?> ProblemWithAsync(HttpClient caller, FuzzRequest request)
    {
        using var message = request.ToMessage();
        try
        {
            using var response = await caller.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, Ct);
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                return null; // an event stream (the tenant's own events) never ends: its answer is its status and type
            }

            var body = await response.Content.ReadAsStringAsync(Ct);
            var status = (int)response.StatusCode;
            var leak = Leaks.FirstOrDefault(leak => body.Contains(leak, StringComparison.Ordinal) && !request.Carries(leak));
            var why = status >= 500 ? $"answered {status}"
                : leak is not null ? $"answered {status} with \"{leak}\" in the body"
                // Kestrel refuses some requests before the application sees them (a NUL in the path, a request line
                // over its limit) with an empty answer; every answer with a body must be problem details.
                : status >= 400 && body.Length > 0 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    ? $"answered {status} without problem details"
                : null;
            return why is null ? null : $"{why}: {(body.Length > 1000 ? body[..1000] + "…" : body)}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !Ct.IsCancellationRequested)
        {
            return $"no answer ({e.GetType().Name}: {e.Message} {e.InnerException?.Message})";
        }
    }

    /// <summary>CsCheck starts again from the failing case and looks for a smaller request that fails too.</summary>
    private static async Task<string> ShrinkAsync(HttpClient caller, Gen<FuzzRequest> requests, string caseSeed)
    {
        try
        {
            await requests.SampleAsync(
                async request =>
                {
                    if (await ProblemWithAsync(caller, request) is { } problem)
                    {
                        throw new InvalidOperationException(problem);
                    }
                },
                seed: caseSeed, iter: ShrinkAttempts, threads: 1, print: request => request.ToString());
            return "the case did not fail again (it depends on what ran before it).";
        }
        catch (CsCheckException e)
        {
            return $"{e.Message}\n→ {e.InnerException?.Message}";
        }
    }

    /// <summary>
    /// Data in every module through the API, as a client would create it; each accepted request is an example to
    /// mutate and each list's answer a source of real ids. Returns the fuzzing caller.
    /// </summary>
    private static async Task<HttpClient> SeedAsync(ModularHost host, IReadOnlyList<ApiOperation> operations, FuzzExamples examples)
    {
        var permissions = host.ApiPermissions();
        var platform = host.CreateClientAs("fuzz-operator", permissions);
        var caller = host.CreateClient();
        caller.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("fuzz-caller", permissions, Tenant));
        caller.Timeout = TimeSpan.FromSeconds(30);

        async Task<JsonNode?> Send(HttpClient client, string method, string template, object? body = null,
            Dictionary<string, string>? path = null, (string Name, string Value)[]? query = null, string mediaType = "application/json")
        {
            var operation = operations.Single(o => o.Name == $"{method} {template}");
            var url = (path ?? []).Aggregate(template, (url, p) => url.Replace("{" + p.Key + "}", Uri.EscapeDataString(p.Value), StringComparison.Ordinal));
            if (query is { Length: > 0 })
            {
                url += "?" + string.Join('&', query.Select(q => q.Name + "=" + Uri.EscapeDataString(q.Value)));
            }

            var json = body is null ? null : JsonSerializer.SerializeToNode(body, JsonSerializerOptions.Web);
            using var request = new HttpRequestMessage(new HttpMethod(method), url)
            {
                Content = json is null ? null : new StringContent(json.ToJsonString(), Encoding.UTF8, mediaType),
            };
            using var response = await client.SendAsync(request, Ct);
            var answer = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.IsSuccessStatusCode, $"seeding {method} {url} answered {(int)response.StatusCode}: {answer}");
            examples.AddAccepted(operation, [.. path ?? [], .. (query ?? []).Select(q => KeyValuePair.Create(q.Name, q.Value))], json);
            return answer.Length == 0 ? null : JsonNode.Parse(answer);
        }

        string Id(JsonNode? node, string property = "id") => node![property]!.GetValue<string>();

        // Tenants: the caller's own and another one.
        var acme = await Send(platform, "POST", TenantsRoutes.Tenants, new { slug = Tenant, name = "Acme", plan = "starter", metadata = new Dictionary<string, string> { ["region"] = "eu" } });
        var globex = await Send(platform, "POST", TenantsRoutes.Tenants, new { slug = "globex", name = "Globex" });
        // Bound by id from here: PATCH /api/v1/tenant may give the tenant another slug, and the caller must stay in it.
        caller.DefaultRequestHeaders.Remove(TestSignIn.Header);
        caller.DefaultRequestHeaders.Add(TestSignIn.Header, TestSignIn.Describe("fuzz-caller", permissions, Id(acme)));
        await Send(caller, "POST", "/api/v1/tenants/{id}/suspend", new { reason = "unpaid" }, new() { ["id"] = Id(globex) });
        await Send(caller, "POST", "/api/v1/tenants/{id}/reactivate", null, new() { ["id"] = Id(globex) });
        await Send(caller, "GET", TenantsRoutes.Tenants, query: [("page", "1"), ("pageSize", "10"), ("search", "ac"), ("status", "Active")]);

        // Identity: a client, and the seeded user in both tenants.
        await Send(caller, "POST", IdentityRoutes.Clients, new
        {
            clientId = "billing-sync",
            displayName = "Billing sync",
            type = "confidential",
            grantTypes = new[] { "client_credentials" },
            scopes = new[] { "api" },
            permissions = new[] { "tenants.read" },
        });
        var user = Id((await Send(caller, "GET", IdentityRoutes.Users, query: [("search", "admin")]))!["items"]![0]);
        foreach (var tenant in new[] { acme, globex })
        {
            await Send(caller, "PUT", "/api/v1/identity/users/{id}/memberships/{tenantId}", new { roles = new[] { "member" } }, new() { ["id"] = user, ["tenantId"] = Id(tenant) });
        }

        // Feature flags, with an override for the caller's tenant.
        await Send(caller, "POST", FeaturesRoutes.Features, new { key = "new-checkout", description = "The new checkout", type = "release", owner = "payments" });
        await Send(caller, "PUT", "/api/v1/features/{key}/tenants/{tenantId}", new { enabled = true, reason = "beta" }, new() { ["key"] = "new-checkout", ["tenantId"] = Id(acme) });
        await Send(caller, "GET", FeaturesRoutes.History, query: [("flag", "new-checkout"), ("tenant", Id(acme)), ("limit", "10")]);

        // Webhooks: an endpoint (deliveries are off) and a message for it.
        var eventType = (await Send(caller, "GET", WebhooksRoutes.EventTypes))![0]!["name"]!.GetValue<string>();
        var endpoint = await Send(caller, "POST", WebhooksRoutes.Endpoints, new
        {
            url = "https://hooks.example.com/modular",
            description = "CRM",
            eventTypes = new[] { eventType },
            rateLimitPerSecond = 10,
            headers = new Dictionary<string, string> { ["X-Api-Key"] = "k-123" },
        });
        var endpointId = Id(endpoint!["endpoint"]);
        await Send(caller, "PATCH", "/api/v1/webhooks/endpoints/{id}", new { description = "CRM v2" }, new() { ["id"] = endpointId });
        await Send(caller, "POST", WebhooksRoutes.Messages, new { eventType, eventId = "evt-1", data = new { invoice = "in_1", amount = 12.5 } });
        await Send(caller, "POST", "/api/v1/webhooks/endpoints/{id}/recover", new { since = DateTimeOffset.UtcNow.AddHours(-1) }, new() { ["id"] = endpointId });
        await Send(caller, "GET", WebhooksRoutes.Messages, query: [("endpointId", endpointId), ("page", "1"), ("pageSize", "20")]);

        // Metering: meters, a plan, the billing profile, usage, and a query of it.
        await Send(caller, "POST", MeteringRoutes.Meters, new
        {
            key = "tokens",
            name = "Tokens",
            eventType = "llm.completion",
            aggregation = "SUM",
            valuePath = "$.usage.tokens",
            groupBy = new Dictionary<string, string> { ["model"] = "$.model" },
        });
        await Send(caller, "POST", MeteringRoutes.Meters, new { key = "api-calls", name = "API calls", eventType = "api.call", aggregation = "COUNT" });
        await Send(caller, "PUT", "/api/v1/metering/meters/{key}", new { name = "LLM tokens", description = "Tokens used" }, new() { ["key"] = "tokens" });
        await Send(caller, "POST", MeteringRoutes.Plans, new
        {
            key = "starter",
            currency = "EUR",
            name = "Starter",
            charges = new object[] { new { meter = "tokens", model = "PerUnit", unitPrice = 0.001 }, new { meter = "api-calls", model = "Graduated", tiers = new object[] { new { upTo = 100, unitPrice = 0 }, new { unitPrice = 0.01 } } } },
            quotas = new[] { new { meter = "api-calls", limit = 100_000, enforcement = "Soft" } },
        });
        await Send(caller, "PUT", MeteringRoutes.BillingProfile, new { timeZone = "Europe/Budapest" });
        var now = DateTimeOffset.UtcNow;
        object Usage(int n) => new
        {
            specversion = "1.0",
            id = $"usage-{n}",
            source = "gateway",
            type = "llm.completion",
            subject = "customer-1",
            time = now.AddMinutes(-n).ToString("O"),
            data = new { usage = new { tokens = 10 * n }, model = n % 2 == 0 ? "small" : "large" },
        };
        await Send(caller, "POST", MeteringRoutes.Events, Usage(1), mediaType: "application/cloudevents+json");
        await Send(caller, "POST", MeteringRoutes.Events, new[] { Usage(2), Usage(3) }, mediaType: "application/cloudevents-batch+json");
        var day = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
        await Send(caller, "GET", "/api/v1/metering/meters/{key}/query", path: new() { ["key"] = "tokens" }, query:
        [
            ("from", day.AddMonths(-1).ToString("O")), ("to", day.AddDays(1).ToString("O")), ("windowSize", "MONTH"), ("windowTimeZone", "Europe/Budapest"),
            ("groupBy", "model"), ("groupBy", "subject"), ("subject", "customer-1"), ("filter", "model:small"),
        ]);
        await Send(caller, "GET", MeteringRoutes.Events, query: [("status", "Counted"), ("type", "llm.completion"), ("limit", "10")]);

        // Every list's answer: the ids path parameters draw from.
        foreach (var list in operations.Where(o => o.Method == "GET" && !o.InPath.Any()))
        {
            using var response = await caller.GetAsync(list.Template, HttpCompletionOption.ResponseHeadersRead, Ct); // a stream never ends
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                examples.AddAnswer(list.Template, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
            }
        }

        return caller;
    }

    /// <summary>A per-operation CsCheck stream that stays the same across runs and machines (string.GetHashCode does not).</summary>
    private static uint StableHash(string text) => text.Aggregate(2166136261u, (hash, c) => (hash ^ c) * 16777619u);
}
