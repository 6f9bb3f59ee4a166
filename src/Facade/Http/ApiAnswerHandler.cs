using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AsyncTasks.Http;

/// <summary>
/// The one place every answer of a provider's API passes through, whatever its status, before anything reads it: the
/// body is read whole and checked against <see cref="AnswerLimits"/> (size, JSON nesting), every configured key is
/// masked in it and in the headers (<see cref="KeyMask"/>), and the content is replaced by the masked bytes. The
/// generated clients then read their answers as generated. Downloads do not pass here: they are streamed.
/// </summary>
internal sealed class ApiAnswerHandler(Provider provider, KeyMask mask, long maxBytes, int maxDepth) : DelegatingHandler
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>
    /// Set by an adapter around one call of its generated client: receives the masked body of the answer, which the
    /// generated client does not hand back (it becomes <see cref="TaskSnapshot.RawResponse"/>).
    /// </summary>
    public static AsyncLocal<AnswerSlot?> Slot { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            MaskHeaders(response.Headers);
            var body = response.Content is { } content ? await ReadAsync(content, (int)response.StatusCode, cancellationToken).ConfigureAwait(false) : [];
            ThrowIfTooDeep(body, (int)response.StatusCode);
            body = mask.Apply(body);
            var answer = new AnswerContent(body);
            if (response.Content is { } original)
            {
                foreach (var (name, values) in original.Headers.NonValidated)
                {
                    if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        foreach (var value in values)
                        {
                            answer.Headers.TryAddWithoutValidation(name, mask.Apply(value));
                        }
                    }
                }

                original.Dispose();
            }

            response.Content = answer;
            if (Slot.Value is { } slot)
            {
                slot.Body = new BinaryData(body);
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The whole body, refused as soon as it is known to exceed the limit.</summary>
    private async Task<byte[]> ReadAsync(HttpContent content, int status, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            throw TooLarge(status);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (declared is { } length)
            {
                // The usual case: one array of the exact size, nothing copied twice (an inline video can be large).
                var exact = new byte[length];
                await stream.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
                return exact;
            }

            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        throw TooLarge(status);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            return buffer.ToArray();
        }
    }

    private TaskClientException TooLarge(int status) =>
        new(provider, TaskErrorKind.Protocol, $"the answer is larger than the limit of {maxBytes} bytes (Answers:MaxBytes)", status);

    /// <summary>Refuses JSON nested deeper than the limit; a body that is not JSON is left to the generated client.</summary>
    private void ThrowIfTooDeep(byte[] body, int status)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth + 1, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= maxDepth)
                {
                    throw new TaskClientException(
                        provider, TaskErrorKind.Protocol, $"the answer nests JSON deeper than the limit of {maxDepth} levels (Answers:MaxDepth)", status);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, or broken: the generated client reports it as it reads.
        }
    }

    private void MaskHeaders(HttpResponseHeaders headers)
    {
        if (mask.IsEmpty)
        {
            return;
        }

        List<(string Name, string[] Values)>? changed = null;
        foreach (var (name, values) in headers.NonValidated)
        {
            foreach (var value in values)
            {
                if (!ReferenceEquals(mask.Apply(value), value))
                {
                    (changed ??= []).Add((name, [.. values.Select(v => mask.Apply(v)!)]));
                    break;
                }
            }
        }

        foreach (var (name, values) in changed ?? [])
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, values);
        }
    }
}

/// <summary>Receives the masked body of one answer (see <see cref="ApiAnswerHandler.Slot"/>).</summary>
internal sealed class AnswerSlot
{
    public BinaryData? Body { get; set; }
}

/// <summary>An answer's masked body, held in memory; its bytes can be read without a copy (SkyEngine's inline videos).</summary>
internal sealed class AnswerContent(byte[] body) : ByteArrayContent(body)
{
    public ReadOnlyMemory<byte> Body { get; } = body;
}
