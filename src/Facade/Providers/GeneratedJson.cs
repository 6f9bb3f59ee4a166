using System.Buffers;
using System.Text;
using AsyncTasks.Generated;
using AsyncTasks.Http;
using Newtonsoft.Json;

namespace AsyncTasks.Providers;

/// <summary>
/// Reads a successful response body into a generated DTO exactly as the generated clients do (Newtonsoft.Json with the
/// client's own settings, the text decoded as <see cref="StreamReader"/> decodes it), at a lower cost per call.
/// </summary>
/// <remarks>
/// <para>
/// The generated <c>ReadObjectResponseAsync</c> wraps the response stream in a new <see cref="StreamReader"/> (a byte
/// and a char buffer, 3 KiB) and a new <see cref="JsonTextReader"/> (another char buffer), creates a new
/// <see cref="JsonSerializer"/> from the settings for every response, and reads the body synchronously, so a body that
/// has not fully arrived blocks a thread-pool thread on the socket. Here the first <see cref="FirstRead"/> bytes are
/// read asynchronously into a pooled buffer (all of a poll's answer); only a longer body is then read on from the
/// stream as the generated client would. The reader's chars come from <see cref="ArrayPool{T}.Shared"/>, and each
/// thread keeps one serializer per settings object (settings never change once a client exists).
/// </para>
/// <para>
/// What comes out is identical: same settings, same encoding detection (UTF-8 by default; a UTF-8, UTF-16 or UTF-32
/// byte order mark chooses the encoding and is skipped; malformed bytes become U+FFFD), same exceptions. The
/// provider clients (<see cref="MountseaReader"/> and its siblings) use it for their 200 bodies only; every other
/// path stays the generated client's.
/// </para>
/// </remarks>
internal static class GeneratedJson
{
    /// <summary>Bytes read asynchronously before parsing: more than any documented answer but a large inline output.</summary>
    internal const int FirstRead = 16 * 1024;

    private const int CachedSerializers = 8;

    [ThreadStatic]
    private static (JsonSerializerSettings Settings, JsonSerializer Serializer)[]? t_serializers;

    /// <summary>Reads <paramref name="content"/> into a <typeparamref name="T"/> (null for a JSON <c>null</c> or an empty body).</summary>
    /// <param name="content">The body.</param>
    /// <param name="settings">The generated client's settings.</param>
    /// <param name="secret">Bytes to overwrite with '*' wherever they occur before parsing, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the asynchronous read.</param>
    /// <exception cref="JsonException">The body is not JSON of that shape (the caller wraps it as the generated client does).</exception>
    public static async Task<T?> ReadAsync<T>(HttpContent content, JsonSerializerSettings settings, byte[]? secret, CancellationToken cancellationToken)
    {
        if (secret is not null && !(content.Headers.ContentLength < FirstRead))
        {
            // Possibly longer than the first read: redacted as it streams, like every wrapped answer.
            content = new RedactingContent(content, secret);
            secret = null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        try
        {
            var filled = 0;
            var ended = false;
            while (filled < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                filled += read;
            }

            if (secret is null)
            {
                return Deserialize<T>(buffer, filled, ended ? null : stream, settings);
            }

            if (ended)
            {
                Overwrite(buffer.AsSpan(0, filled), secret);
                return Deserialize<T>(buffer, filled, null, settings);
            }

            // More than Content-Length promised (only a content that breaks its own header): read it all, then redact.
            using var whole = new MemoryStream();
            whole.Write(buffer, 0, filled);
            await stream.CopyToAsync(whole, cancellationToken).ConfigureAwait(false);
            var bytes = whole.GetBuffer();
            var length = checked((int)whole.Length);
            Overwrite(bytes.AsSpan(0, length), secret);
            return Deserialize<T>(bytes, length, null, settings);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A generated client's <c>ReadObjectResponseAsync</c> for a response with a body: the object, wrapped by
    /// <paramref name="wrap"/> into the client's result type, or the <see cref="ApiException"/> the generated client
    /// throws for a body it cannot deserialize.
    /// </summary>
    public static async Task<TResult> ReadAsync<T, TResult>(
        HttpResponseMessage response,
        IReadOnlyDictionary<string, IEnumerable<string>> headers,
        JsonSerializerSettings settings,
        byte[]? secret,
        Func<T?, TResult> wrap,
        CancellationToken cancellationToken)
    {
        try
        {
            return wrap(await ReadAsync<T>(response.Content, settings, secret, cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException exception)
        {
            throw Unreadable<T>(response, headers, exception);
        }
    }

    /// <summary>The exception the generated client throws for a 200 body it cannot deserialize.</summary>
    public static ApiException Unreadable<T>(
        HttpResponseMessage response, IReadOnlyDictionary<string, IEnumerable<string>> headers, JsonException exception) =>
        new(
            "Could not deserialize the response body stream as " + typeof(T).FullName + ".",
            (int)response.StatusCode,
            string.Empty,
            headers,
            exception);

    /// <summary>Overwrites every occurrence of <paramref name="secret"/> in <paramref name="body"/> with '*', left to right, as <see cref="RedactingContent"/> does.</summary>
    internal static void Overwrite(Span<byte> body, ReadOnlySpan<byte> secret)
    {
        var from = 0;
        int index;
        while ((index = body[from..].IndexOf(secret)) >= 0)
        {
            body.Slice(from + index, secret.Length).Fill((byte)'*');
            from += index + secret.Length;
        }
    }

    private static T? Deserialize<T>(byte[] buffer, int filled, Stream? rest, JsonSerializerSettings settings)
    {
        using var text = new BufferedTextReader(buffer, filled, rest);
        using var json = new JsonTextReader(text) { ArrayPool = CharPool.Instance };
        return Serializer(settings).Deserialize<T>(json);
    }

    private static JsonSerializer Serializer(JsonSerializerSettings settings)
    {
        var cache = t_serializers ??= new (JsonSerializerSettings, JsonSerializer)[CachedSerializers];
        for (var i = 0; i < cache.Length; i++)
        {
            if (cache[i].Settings is null)
            {
                var created = JsonSerializer.Create(settings);
                cache[i] = (settings, created);
                return created;
            }

            if (ReferenceEquals(cache[i].Settings, settings))
            {
                return cache[i].Serializer;
            }
        }

        // More settings objects than slots (not the case with five clients): no caching beyond them.
        return JsonSerializer.Create(settings);
    }

    /// <summary>Newtonsoft's buffer pool interface over <see cref="ArrayPool{T}.Shared"/>.</summary>
    private sealed class CharPool : IArrayPool<char>
    {
        public static readonly CharPool Instance = new();

        public char[] Rent(int minimumLength) => ArrayPool<char>.Shared.Rent(minimumLength);

        public void Return(char[]? array)
        {
            if (array is not null)
            {
                ArrayPool<char>.Shared.Return(array);
            }
        }
    }

    /// <summary>
    /// The text of a body whose first bytes are in a buffer and whose rest, if any, is still in a stream, decoded as
    /// <see cref="StreamReader"/> would with its defaults. Reads the stream synchronously into the same buffer.
    /// </summary>
    internal sealed class BufferedTextReader : TextReader
    {
        private readonly byte[] _bytes;
        private Stream? _rest;
        private int _position;
        private int _count;
        private Decoder? _decoder;
        private char[]? _spill;
        private int _spillStart;
        private int _spillCount;

        public BufferedTextReader(byte[] bytes, int count, Stream? rest)
        {
            _bytes = bytes;
            _count = count;
            _rest = rest;
        }

        public override int Peek() => FillSpill() ? _spill![_spillStart] : -1;

        public override int Read()
        {
            if (!FillSpill())
            {
                return -1;
            }

            _spillCount--;
            return _spill![_spillStart++];
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            if (_spillCount > 0 || buffer.Length == 1)
            {
                // Chars decoded by Peek or a one-char read come first; a one-char destination is served from them, as a
                // surrogate pair cannot be decoded into it.
                if (!FillSpill())
                {
                    return 0;
                }

                var n = Math.Min(_spillCount, buffer.Length);
                _spill.AsSpan(_spillStart, n).CopyTo(buffer);
                _spillStart += n;
                _spillCount -= n;
                return n;
            }

            return Decode(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            _rest = null;
            base.Dispose(disposing);
        }

        /// <summary>Decodes into <paramref name="buffer"/> (at least two chars long); 0 only at the end of the body.</summary>
        private int Decode(Span<char> buffer)
        {
            _decoder ??= DetectEncoding();
            while (true)
            {
                var ended = _rest is null;
                var bytes = _bytes.AsSpan(_position, _count - _position);
                if (bytes.IsEmpty && !ended)
                {
                    Refill();
                    continue;
                }

                // A char whose bytes are not all here yet stays in the decoder until the next refill (at the very end
                // it becomes U+FFFD, as with StreamReader).
                _decoder.Convert(bytes, buffer, flush: ended, out var bytesUsed, out var charsUsed, out _);
                _position += bytesUsed;
                if (charsUsed > 0 || ended)
                {
                    return charsUsed;
                }

                Refill();
            }
        }

        /// <summary>Makes sure at least one decoded char waits in the spill buffer; false at the end of the body.</summary>
        private bool FillSpill()
        {
            if (_spillCount > 0)
            {
                return true;
            }

            _spill ??= new char[2];
            _spillStart = 0;
            _spillCount = Decode(_spill);
            return _spillCount > 0;
        }

        private void Refill()
        {
            // Keep the bytes not decoded yet (at most a char's worth: the decoder holds partial chars itself).
            var left = _count - _position;
            _bytes.AsSpan(_position, left).CopyTo(_bytes);
            _position = 0;
            _count = left;
            var read = _rest!.Read(_bytes, _count, _bytes.Length - _count);
            if (read == 0)
            {
                _rest = null;
            }

            _count += read;
        }

        /// <summary>StreamReader's detection: a byte order mark picks the encoding and is skipped; UTF-8 otherwise.</summary>
        private Decoder DetectEncoding()
        {
            // FirstRead bytes were asked for before parsing started: a mark, if any, is whole in the buffer unless the
            // body is shorter than the mark, in which case it is no mark.
            var start = _bytes.AsSpan(0, _count);
            Encoding encoding;
            int skip;
            if (start.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                (encoding, skip) = (Encoding.UTF8, 3);
            }
            else if (start.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
            {
                (encoding, skip) = (new UTF32Encoding(bigEndian: true, byteOrderMark: true), 4);
            }
            else if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
            {
                (encoding, skip) = (Encoding.UTF32, 4);
            }
            else if (start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                (encoding, skip) = (Encoding.BigEndianUnicode, 2);
            }
            else if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            {
                (encoding, skip) = (Encoding.Unicode, 2);
            }
            else
            {
                (encoding, skip) = (Encoding.UTF8, 0);
            }

            _position = skip;
            return encoding.GetDecoder();
        }
    }
}
