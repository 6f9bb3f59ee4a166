using System.Collections.Immutable;
using System.Text.RegularExpressions;
using WireMock.RequestBuilders;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>How a stub matches the request URL (as WireMock's <c>url</c>, <c>urlPath</c>, … keys do).</summary>
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
/// One stub: a request pattern, a response and optionally a scenario step. Immutable: each
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

    /// <summary>The stub priority (1 is highest); <see langword="null"/> for the default, 5.</summary>
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

    /// <summary>
    /// The WireMock.Net request matcher. It matches the request target as sent on the wire (the server copies it
    /// into <see cref="WireMockServer.RawTargetHeader"/>), which WireMock.Net itself only sees decoded.
    /// </summary>
    public IRequestBuilder ToRequest()
    {
        var request = Request.Create();
        var withMethod = Method == "ANY" ? request.UsingAnyMethod() : request.UsingMethod(Method);
        return withMethod.WithHeader(Matches);
    }

    /// <summary>Whether a request with these headers (the raw target among them) matches the URL, query and header rules.</summary>
    private bool Matches(IDictionary<string, string[]> headers)
    {
        var values = new Dictionary<string, string[]>(headers, StringComparer.OrdinalIgnoreCase);
        if (!values.TryGetValue(WireMockServer.RawTargetHeader, out var targets) || targets.Length != 1)
        {
            return false;
        }

        var target = targets[0];
        var path = target.Split('?', 2)[0];
        var urlMatches = UrlMatch switch
        {
            WireMockUrlMatch.Url => target == Url,
            WireMockUrlMatch.UrlPath => path == Url,
            WireMockUrlMatch.UrlPattern => Regex.IsMatch(target, "^(?:" + Url + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
            WireMockUrlMatch.UrlPathPattern => Regex.IsMatch(path, "^(?:" + Url + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
            _ => throw new InvalidOperationException($"Unknown URL match {UrlMatch}."),
        };
        if (!urlMatches)
        {
            return false;
        }

        var query = (target.Split('?', 2) is [_, var q] ? q : string.Empty)
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: Uri.UnescapeDataString(pair[0]), Value: Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : string.Empty)))
            .ToList();
        foreach (var group in QueryParameters.GroupBy(p => p.Key, StringComparer.Ordinal))
        {
            var sent = query.Where(q => q.Name == group.Key).Select(q => q.Value).Order(StringComparer.Ordinal).ToList();
            var wanted = group.Select(p => p.Value).Order(StringComparer.Ordinal).ToList();
            if (wanted.Count == 1 ? !sent.Contains(wanted[0]) : !sent.SequenceEqual(wanted))
            {
                return false;
            }
        }

        return Headers.All(h => values.TryGetValue(h.Key, out var sent) && (sent.Contains(h.Value) || string.Join(", ", sent) == h.Value))
            && AbsentHeaders.All(name => !values.ContainsKey(name));
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
