using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Newtonsoft.Json.Linq;
using WireMock.ResponseBuilders;

namespace AsyncTasks.Tests.Infrastructure.WireMock;

/// <summary>
/// What a stub answers. Immutable: every <c>With…</c> returns a
/// changed copy, so a base response can be shared between stubs.
/// </summary>
internal sealed record WireMockResponse
{
    private WireMockResponse()
    {
    }

    /// <summary>The HTTP status; not sent when <see cref="Fault"/> is set.</summary>
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

    /// <summary>Whether the body is a Handlebars template over the request, e.g. <c>{{request.headers.Authorization}}</c>.</summary>
    public bool Templated { get; init; }

    /// <summary>Whether the body is sent with chunked transfer encoding and no Content-Length.</summary>
    public bool Chunked { get; init; }

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

    /// <summary>Renders the body as a Handlebars template over the request (a gateway echoing what it was sent).</summary>
    public WireMockResponse WithTemplating() => this with { Templated = true };

    /// <summary>Sends the body chunked, without Content-Length.</summary>
    public WireMockResponse WithChunkedBody() => this with { Chunked = true };

    /// <summary>Delays the response.</summary>
    public WireMockResponse WithFixedDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return this with { FixedDelay = delay };
    }

    /// <summary>The WireMock.Net response.</summary>
    public IResponseBuilder ToResponse()
    {
        var response = Response.Create().WithStatusCode(Status);
        if (BinaryBody is { } binary)
        {
            response = response.WithBody([.. binary]);
        }
        else if (Body is not null)
        {
            response = response.WithBody(Body);
        }

        foreach (var group in Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            response = response.WithHeader(group.First().Key, [.. group.Select(h => h.Value)]);
        }

        if (FixedDelay is { } delay)
        {
            response = response.WithDelay(delay);
        }

        if (Templated)
        {
            response = response.WithTransformer();
        }

        if (Chunked)
        {
            response = response.WithHeader(WireMockServer.ChunkedHeader, "true");
        }

        return Fault is { } fault ? response.WithHeader(WireMockServer.FaultHeader, fault.ToString()) : response;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Fault is { } f ? f.ToString() : Status.ToString(CultureInfo.InvariantCulture))} {Body}");
}
