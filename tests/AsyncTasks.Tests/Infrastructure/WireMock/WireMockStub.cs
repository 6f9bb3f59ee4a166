using System.Collections.Immutable;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>How a stub matches the request URL (WireMock's <c>url</c>, <c>urlPath</c>, … keys).</summary>
internal enum WireMockUrlMatch
{
    /// <summary><c>url</c>: path and query string, exactly as sent.</summary>
    Url,

    /// <summary><c>urlPath</c>: the path only, exactly as encoded; query parameters are matched separately.</summary>
    UrlPath,

    /// <summary><c>urlPattern</c>: a regular expression over path and query string.</summary>
    UrlPattern,

    /// <summary><c>urlPathPattern</c>: a regular expression over the path.</summary>
    UrlPathPattern,
}

/// <summary>
/// One WireMock stub mapping: a request pattern, a response and optionally a scenario step. Immutable: each
/// <c>With…</c> returns a changed copy. Register it with <see cref="WireMockServer.AddStubAsync"/>.
/// </summary>
/// <example>
/// <code>
/// await server.AddStubAsync(
///     WireMockStub.Get("/v1/tasks/abc")
///         .WithQueryParameter("lang", "en")
///         .WithHeader("Authorization", "Bearer key")
///         .InScenario("polling", WireMockStub.ScenarioStarted, "done")
///         .RespondingWith(WireMockResponse.Json(200, "{\"status\":\"running\"}").WithFixedDelay(TimeSpan.FromMilliseconds(50))));
/// </code>
/// </example>
internal sealed record WireMockStub
{
    /// <summary>The state every WireMock scenario starts in.</summary>
    public const string ScenarioStarted = "Started";

    private WireMockStub(string method, WireMockUrlMatch urlMatch, string url)
    {
        Method = method;
        UrlMatch = urlMatch;
        Url = url;
    }

    /// <summary>The HTTP method, or <c>ANY</c>.</summary>
    public string Method { get; init; }

    /// <summary>Which URL matcher <see cref="Url"/> is for.</summary>
    public WireMockUrlMatch UrlMatch { get; init; }

    /// <summary>The URL, path or pattern to match.</summary>
    public string Url { get; init; }

    /// <summary>Query parameters that must equal the given (decoded) values.</summary>
    public ImmutableList<KeyValuePair<string, string>> QueryParameters { get; init; } = [];

    /// <summary>Request headers that must equal the given values.</summary>
    public ImmutableList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Request headers that must be absent.</summary>
    public ImmutableList<string> AbsentHeaders { get; init; } = [];

    /// <summary>The stub priority (1 is highest); <see langword="null"/> for WireMock's default.</summary>
    public int? Priority { get; init; }

    /// <summary>The scenario this stub belongs to.</summary>
    public string? ScenarioName { get; init; }

    /// <summary>The scenario state in which this stub matches.</summary>
    public string? RequiredScenarioState { get; init; }

    /// <summary>The scenario state this stub moves to when it matches.</summary>
    public string? NewScenarioState { get; init; }

    /// <summary>The answer; a plain 200 unless set.</summary>
    public WireMockResponse Response { get; init; } = WireMockResponse.WithStatus(200);

    /// <summary>
    /// A stub for <paramref name="method"/> on exactly <paramref name="path"/>, as encoded on the wire (WireMock
    /// compares <c>urlPath</c> with the raw path: <c>/a%20b</c>, not <c>/a b</c>); the query string is not part of it.
    /// </summary>
    public static WireMockStub ForPath(HttpMethod method, string path) =>
        new(Check(method).Method, WireMockUrlMatch.UrlPath, CheckUrl(path));

    /// <summary>A stub for <paramref name="method"/> on exactly <paramref name="pathAndQuery"/>, as sent on the wire.</summary>
    public static WireMockStub ForUrl(HttpMethod method, string pathAndQuery) =>
        new(Check(method).Method, WireMockUrlMatch.Url, CheckUrl(pathAndQuery));

    /// <summary>A stub for any method and any URL matching the given matcher.</summary>
    public static WireMockStub ForAnyMethod(WireMockUrlMatch urlMatch, string url) => new("ANY", urlMatch, url);

    /// <summary>A stub with an explicit URL matcher.</summary>
    public static WireMockStub For(HttpMethod method, WireMockUrlMatch urlMatch, string url) =>
        new(Check(method).Method, urlMatch, url);

    /// <summary>A GET stub on exactly <paramref name="path"/>.</summary>
    public static WireMockStub Get(string path) => ForPath(HttpMethod.Get, path);

    /// <summary>Requires a query parameter equal to <paramref name="value"/> (WireMock compares decoded values).</summary>
    public WireMockStub WithQueryParameter(string name, string value) =>
        this with { QueryParameters = QueryParameters.Add(new(name, value)) };

    /// <summary>Requires a request header equal to <paramref name="value"/>.</summary>
    public WireMockStub WithHeader(string name, string value) =>
        this with { Headers = Headers.Add(new(name, value)) };

    /// <summary>Requires a request header to be absent.</summary>
    public WireMockStub WithoutHeader(string name) => this with { AbsentHeaders = AbsentHeaders.Add(name) };

    /// <summary>Sets the stub priority (1 is highest).</summary>
    public WireMockStub WithPriority(int priority) => this with { Priority = priority };

    /// <summary>
    /// Makes the stub a scenario step: it matches only while <paramref name="scenarioName"/> is in
    /// <paramref name="requiredState"/> (any state if <see langword="null"/>) and then moves it to <paramref name="newState"/>.
    /// </summary>
    public WireMockStub InScenario(string scenarioName, string? requiredState = ScenarioStarted, string? newState = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scenarioName);
        return this with { ScenarioName = scenarioName, RequiredScenarioState = requiredState, NewScenarioState = newState };
    }

    /// <summary>Sets the answer.</summary>
    public WireMockStub RespondingWith(WireMockResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return this with { Response = response };
    }

    /// <summary>The mapping JSON accepted by <c>POST /__admin/mappings</c>.</summary>
    public JObject ToJson()
    {
        var request = new JObject
        {
            ["method"] = Method,
            [UrlMatch switch
            {
                WireMockUrlMatch.Url => "url",
                WireMockUrlMatch.UrlPath => "urlPath",
                WireMockUrlMatch.UrlPattern => "urlPattern",
                WireMockUrlMatch.UrlPathPattern => "urlPathPattern",
                _ => throw new InvalidOperationException($"Unknown URL match {UrlMatch}."),
            }] = Url,
        };

        if (!QueryParameters.IsEmpty)
        {
            request["queryParameters"] = Matchers(QueryParameters);
        }

        if (!Headers.IsEmpty || !AbsentHeaders.IsEmpty)
        {
            var headers = Matchers(Headers);
            foreach (var name in AbsentHeaders)
            {
                headers[name] = new JObject { ["absent"] = true };
            }

            request["headers"] = headers;
        }

        var mapping = new JObject { ["request"] = request, ["response"] = Response.ToJson() };
        if (Priority is { } priority)
        {
            mapping["priority"] = priority;
        }

        if (ScenarioName is not null)
        {
            mapping["scenarioName"] = ScenarioName;
            if (RequiredScenarioState is not null)
            {
                mapping["requiredScenarioState"] = RequiredScenarioState;
            }

            if (NewScenarioState is not null)
            {
                mapping["newScenarioState"] = NewScenarioState;
            }
        }

        return mapping;
    }

    private static JObject Matchers(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var json = new JObject();
        foreach (var group in pairs.GroupBy(p => p.Key, StringComparer.Ordinal))
        {
            var values = group.Select(p => p.Value).ToList();
            json[group.Key] = values.Count == 1
                ? new JObject { ["equalTo"] = values[0] }
                : new JObject { ["hasExactly"] = new JArray(values.Select(v => new JObject { ["equalTo"] = v })) };
        }

        return json;
    }

    private static HttpMethod Check(HttpMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method;
    }

    private static string CheckUrl(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        return url.StartsWith('/') ? url : throw new ArgumentException($"A stub URL must start with '/': '{url}'.", nameof(url));
    }
}
