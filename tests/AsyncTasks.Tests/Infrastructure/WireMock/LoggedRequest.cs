using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>One request of WireMock's journal (<c>GET /__admin/requests</c>).</summary>
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

    /// <summary>
    /// Reads one journal entry: a serve event (<c>{"request": {...}, "wasMatched": ...}</c>, from
    /// <c>/__admin/requests</c>) or a bare request (from <c>/__admin/requests/unmatched</c>, never matched).
    /// </summary>
    public static LoggedRequest FromJournalEntry(JObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var request = entry["request"] as JObject ?? entry;
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (request["headers"] is JObject headerObject)
        {
            foreach (var property in headerObject.Properties())
            {
                headers[property.Name] = property.Value is JArray array
                    ? [.. array.Select(v => (string?)v ?? string.Empty)]
                    : [(string?)property.Value ?? string.Empty];
            }
        }

        return new LoggedRequest(
            (string?)request["method"] ?? string.Empty,
            (string?)request["url"] ?? string.Empty,
            (string?)request["absoluteUrl"] ?? string.Empty,
            headers,
            (string?)request["body"] ?? string.Empty,
            (bool?)entry["wasMatched"] ?? false);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Method} {Url} ({(WasMatched ? "matched" : "UNMATCHED")}; headers: {string.Join("; ", Headers.Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"))})";
}
