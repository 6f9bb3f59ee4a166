using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>
/// What a stub answers (the <c>response</c> part of a WireMock mapping). Immutable: every <c>With…</c> returns a
/// changed copy, so a base response can be shared between stubs.
/// </summary>
internal sealed record WireMockResponse
{
    private WireMockResponse()
    {
    }

    /// <summary>The HTTP status; ignored by WireMock when <see cref="Fault"/> is set.</summary>
    public int Status { get; init; } = 200;

    /// <summary>The body, sent byte for byte as UTF-8; <see langword="null"/> for none.</summary>
    public string? Body { get; init; }

    /// <summary>A binary body; wins over <see cref="Body"/>.</summary>
    public ImmutableArray<byte>? BinaryBody { get; init; }

    /// <summary>The response headers, in insertion order.</summary>
    public ImmutableList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>A transport fault instead of a response.</summary>
    public WireMockFault? Fault { get; init; }

    /// <summary>A delay before the response is sent.</summary>
    public TimeSpan? FixedDelay { get; init; }

    /// <summary>A JSON response: the given token as compact JSON, <c>Content-Type: application/json</c>.</summary>
    public static WireMockResponse Json(int status, JToken body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Json(status, body.ToString(Newtonsoft.Json.Formatting.None));
    }

    /// <summary>A JSON response with the body exactly as given (it may be invalid JSON on purpose).</summary>
    public static WireMockResponse Json(int status, string rawJson) =>
        Text(status, rawJson, "application/json");

    /// <summary>A response with a raw string body and the given content type.</summary>
    public static WireMockResponse Text(int status, string body, string contentType = "text/plain; charset=utf-8") =>
        new WireMockResponse { Status = status, Body = body }.WithHeader("Content-Type", contentType);

    /// <summary>A binary response.</summary>
    public static WireMockResponse Binary(int status, IEnumerable<byte> body, string contentType = "application/octet-stream") =>
        new WireMockResponse { Status = status, BinaryBody = [.. body] }.WithHeader("Content-Type", contentType);

    /// <summary>A response with only a status (no body).</summary>
    public static WireMockResponse WithStatus(int status) => new() { Status = status };

    /// <summary>A redirect to <paramref name="location"/> (absolute, or relative to the server).</summary>
    public static WireMockResponse Redirect(string location, int status = (int)HttpStatusCode.Found) =>
        WithStatus(status).WithHeader("Location", location);

    /// <summary>A transport fault (e.g. <see cref="WireMockFault.ConnectionResetByPeer"/>) instead of a response.</summary>
    public static WireMockResponse FromFault(WireMockFault fault) => new() { Fault = fault };

    /// <summary>Adds a response header (a repeated name sends several values).</summary>
    public WireMockResponse WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return this with { Headers = Headers.Add(new(name, value)) };
    }

    /// <summary>Delays the response (WireMock <c>fixedDelayMilliseconds</c>).</summary>
    public WireMockResponse WithFixedDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return this with { FixedDelay = delay };
    }

    /// <summary>The <c>response</c> object of a WireMock mapping.</summary>
    public JObject ToJson()
    {
        var json = new JObject { ["status"] = Status };
        if (BinaryBody is { } binary)
        {
            json["base64Body"] = Convert.ToBase64String(binary.AsSpan());
        }
        else if (Body is not null)
        {
            json["body"] = Body;
        }

        if (!Headers.IsEmpty)
        {
            var headers = new JObject();
            foreach (var group in Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                var values = group.Select(h => h.Value).ToList();
                headers[group.First().Key] = values.Count == 1 ? values[0] : new JArray(values);
            }

            json["headers"] = headers;
        }

        if (FixedDelay is { } delay)
        {
            json["fixedDelayMilliseconds"] = (long)Math.Ceiling(delay.TotalMilliseconds);
        }

        if (Fault is { } fault)
        {
            json["fault"] = fault.ToWireName();
        }

        return json;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Fault is { } f ? f.ToWireName() : Status.ToString(CultureInfo.InvariantCulture))} {Body}");
}
