using System.Net;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// An HTTP transport that never touches the network: every request is answered at once, synchronously, with
/// HTTP 200 and the JSON body <paramref name="respond"/> picks for it. The bodies are prepared up front, so a
/// response costs one <see cref="ByteArrayContent"/> and one <see cref="HttpResponseMessage"/>.
/// </summary>
/// <param name="respond">The body for a request.</param>
public sealed class InMemoryHandler(Func<HttpRequestMessage, byte[]> respond) : HttpMessageHandler
{
    private long _requests;

    /// <summary>An in-memory transport that answers every request with <paramref name="body"/>.</summary>
    public InMemoryHandler(byte[] body)
        : this(_ => body)
    {
    }

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The last request's Authorization or x-api-key header, to check that the key was attached.</summary>
    public string? LastKeyHeader { get; private set; }

    /// <summary>Remembers the key header of the next requests (off while measuring: it costs a header lookup).</summary>
    public bool RecordKeyHeader { get; set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (RecordKeyHeader)
        {
            LastKeyHeader =
                request.Headers.TryGetValues("Authorization", out var auth) ? string.Join(",", auth)
                : request.Headers.TryGetValues("x-api-key", out var key) ? string.Join(",", key)
                : null;
        }

        var content = new ByteArrayContent(respond(request));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
