using AsyncTasks.Generated;
using AsyncTasks.Tests.Infrastructure.Json;
using AsyncTasks.Tests.Infrastructure.Specs;
using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Contract;

/// <summary>What happened when a response example was replayed through the generated client.</summary>
/// <param name="Operation">The generated operation called.</param>
/// <param name="Result">The deserialized success body, if the call returned.</param>
/// <param name="Exception">What the call threw, if it did.</param>
/// <param name="Journal">The requests WireMock received, oldest first.</param>
/// <param name="ExpectedHeaders">Headers the request must carry with exactly these values (auth, header parameters).</param>
internal sealed record ReplayResult(
    GeneratedOperation Operation,
    object? Result,
    Exception? Exception,
    IReadOnlyList<LoggedRequest> Journal,
    IReadOnlyList<KeyValuePair<string, string>> ExpectedHeaders)
{
    /// <summary>What to print when something is off: the exception and the journal.</summary>
    public string Diagnostics =>
        $"{Environment.NewLine}Exception: {Exception?.GetType().Name}: {Exception?.Message} {(Exception as ApiException)?.Response}" +
        $"{Environment.NewLine}Journal: {string.Join(Environment.NewLine + "  ", Journal)}";
}

/// <summary>
/// Replays one documented response through the generated client against the shared WireMock server: stub the
/// documented path (parameters from their examples) with the body, call the client with the auth header set on
/// the HttpClient, then read the journal.
/// </summary>
internal static class ExampleReplay
{
    /// <summary>The key the tests authenticate with; WireMock must receive it unchanged.</summary>
    public const string TestKey = "sk-contract-TEST-0123456789abcdef";

    /// <summary>The bound of one client call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Replays <paramref name="body"/> (normally the example's value) as the response of the example's operation and status.</summary>
    public static Task<ReplayResult> RunAsync(SpecResponseExample example, JToken body) => RunAsync(example, body, call: null);

    /// <summary>
    /// As <see cref="RunAsync(SpecResponseExample, JToken)"/>, with <paramref name="call"/> (given the HttpClient,
    /// key header set, and the call's token) instead of the NSwag client when not null: the Kiota client's replay.
    /// </summary>
    public static async Task<ReplayResult> RunAsync(SpecResponseExample example, JToken body, Func<HttpClient, CancellationToken, Task<object?>>? call)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(body);
        var operation = GeneratedOperation.For(example.Operation);
        var server = WireMockServer.Shared;
        await server.ResetAsync().ConfigureAwait(false);

        var stub = WireMockStub.ForPath(new HttpMethod(example.Operation.Method), operation.ExpectedPath());
        foreach (var (name, value) in operation.ExpectedQuery())
        {
            stub = stub.WithQueryParameter(name, value);
        }

        await server.AddStubAsync(stub.RespondingWith(WireMockResponse.Json(example.StatusCode, body))).ConfigureAwait(false);

        var expectedHeaders = example.Operation.AuthHeaders
            .Select(a => new KeyValuePair<string, string>(a.HeaderName, a.ValueFor(TestKey)))
            .Concat(example.Operation.Parameters
                .Where(p => p.Location == SpecParameterLocation.Header && p.Example is not null)
                .Select(p => new KeyValuePair<string, string>(p.Name, p.Example!)))
            .ToList();

        using var http = server.CreateHttpClient(CallTimeout);
        foreach (var auth in example.Operation.AuthHeaders)
        {
            if (!http.DefaultRequestHeaders.TryAddWithoutValidation(auth.HeaderName, auth.ValueFor(TestKey)))
            {
                throw new InvalidOperationException($"Cannot set header '{auth.HeaderName}' on an HttpClient.");
            }
        }

        using var timeout = new CancellationTokenSource(CallTimeout);
        object? result = null;
        Exception? exception = null;
        try
        {
            result = call is null
                ? await operation.InvokeAsync(operation.CreateClient(http), operation.BuildArguments(timeout.Token)).ConfigureAwait(false)
                : await call(http, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiException or Microsoft.Kiota.Abstractions.ApiException or System.Text.Json.JsonException
            or HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            exception = ex;
        }

        var journal = await server.GetRequestsAsync().ConfigureAwait(false);
        return new ReplayResult(operation, result, exception, journal, expectedHeaders);
    }

    /// <summary>Asserts the journal holds exactly the one request the spec describes: method, encoded path and query, headers.</summary>
    public static void AssertSingleDocumentedRequest(ReplayResult replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        Assert.That(replay.Journal, Has.Count.EqualTo(1), $"WireMock should receive exactly one request.{replay.Diagnostics}");
        var request = replay.Journal[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo(replay.Operation.Operation.Method), "HTTP method");
            Assert.That(request.Path, Is.EqualTo(replay.Operation.ExpectedPath()), "path as encoded on the wire");
            Assert.That(
                request.Query.Length == 0 ? [] : request.Query.Split('&').Order(StringComparer.Ordinal).ToList(),
                Is.EqualTo(replay.Operation.ExpectedEncodedQueryPairs()),
                $"query string as encoded on the wire ('{request.Query}')");
            foreach (var (name, value) in replay.ExpectedHeaders)
            {
                Assert.That(request.Header(name), Is.EqualTo(value), $"header '{name}'");
            }

            Assert.That(request.WasMatched, Is.True, $"the request should match the stub.{replay.Diagnostics}");
        }
    }

    /// <summary>
    /// Asserts the call ended as the status says: a 2xx returns the DTO; another status throws an
    /// <see cref="ApiException"/> with that status, an <see cref="ApiException{TResult}"/> when the spec documents
    /// a body schema. Returns the deserialized body (DTO or <c>Result</c>) serialized back to JSON, or the raw
    /// error body when there is no schema.
    /// </summary>
    public static JToken AssertOutcomeAndGetBody(SpecResponseExample example, ReplayResult replay)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(replay);
        if (example.IsSuccess)
        {
            Assert.That(replay.Exception, Is.Null, $"a documented {example.StatusKey} response must be read without error.{replay.Diagnostics}");
            Assert.That(replay.Result, Is.Not.Null, $"the generated method must return a body.{replay.Diagnostics}");
            return JsonText.FromObject(replay.Result);
        }

        Assert.That(replay.Exception, Is.InstanceOf<ApiException>(), $"a documented {example.StatusKey} response must throw ApiException.{replay.Diagnostics}");
        var apiException = (ApiException)replay.Exception!;
        Assert.That(apiException.StatusCode, Is.EqualTo(example.StatusCode), $"ApiException.StatusCode.{replay.Diagnostics}");

        var type = apiException.GetType();
        var isTyped = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ApiException<>);
        if (example.Schema is null)
        {
            Assert.That(apiException.Response, Is.Not.Null, "ApiException.Response");
            return JsonText.Parse(apiException.Response!);
        }

        Assert.That(
            isTyped,
            Is.True,
            $"the spec documents a schema for {example.StatusKey}, so the client should throw ApiException<T> with the body, not {type.Name}.{replay.Diagnostics}");
        var resultValue = type.GetProperty(nameof(ApiException<object>.Result))!.GetValue(apiException);
        Assert.That(resultValue, Is.Not.Null, $"ApiException<T>.Result.{replay.Diagnostics}");
        return JsonText.FromObject(resultValue);
    }

    /// <summary>Asserts <paramref name="actual"/> carries every leaf of <paramref name="expected"/> (see <see cref="JsonSubsetComparer"/>).</summary>
    public static void AssertCarries(JToken expected, JToken actual, string what)
    {
        var mismatches = JsonSubsetComparer.FindMismatches(expected, actual);
        Assert.That(
            mismatches,
            Is.Empty,
            $"{what}: the deserialized body lost or changed example values.{Environment.NewLine}Example: {JsonText.Compact(expected)}{Environment.NewLine}Read back: {JsonText.Compact(actual)}");
    }
}
