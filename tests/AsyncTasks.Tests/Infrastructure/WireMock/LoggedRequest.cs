namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>One request of the server's journal.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Url">Path and query string exactly as sent on the wire (still percent-encoded).</param>
/// <param name="AbsoluteUrl">The full URL.</param>
/// <param name="Headers">The request headers, names case-insensitive.</param>
/// <param name="Body">The request body as text.</param>
/// <param name="WasMatched">Whether a stub answered it.</param>
internal sealed record LoggedRequest(
    string Method,
    string Url,
    string AbsoluteUrl,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Headers,
    string Body,
    bool WasMatched)
{
    /// <summary>The path part of <see cref="Url"/>, still encoded.</summary>
    public string Path => Url.Split('?', 2)[0];

    /// <summary>The query string of <see cref="Url"/> without '?', still encoded; empty when there is none.</summary>
    public string Query => Url.Split('?', 2) is [_, var query] ? query : string.Empty;

    /// <summary>The values of a header joined with ", ", or <see langword="null"/> when it was not sent.</summary>
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Method} {Url} ({(WasMatched ? "matched" : "UNMATCHED")}; headers: {string.Join("; ", Headers.Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"))})";
}
