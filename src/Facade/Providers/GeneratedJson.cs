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
    public static async Task<T?> ReadAsync<T>(HttpContent content, JsonSerializerSettings settings, byte[]? secret, CancellationToken cancellationToken) =>
        Parse<T>(await ReadBodyAsync(content, secret, cancellationToken).ConfigureAwait(false), settings);

    /// <summary>
    /// A generated client's <c>ReadObjectResponseAsync</c> for a response with a body: the object, wrapped by
    /// <paramref name="wrap"/> into the client's result type, or the <see cref="ApiException"/> the generated client
    /// throws for a body it cannot deserialize.
    /// </summary>
    /// <remarks>
    /// A body that is already there (every poll's answer once its headers have come, on most transports) is read and
    /// parsed without an asynchronous method in between; a body still on its way is awaited.
    /// </remarks>
    public static Task<TResult> ReadAsync<T, TResult>(
        HttpResponseMessage response,
        IReadOnlyDictionary<string, IEnumerable<string>> headers,
        JsonSerializerSettings settings,
        byte[]? secret,
        Func<T?, TResult> wrap,
        CancellationToken cancellationToken)
    {
        ValueTask<Body> reading;
        try
        {
            reading = ReadBodyAsync(response.Content, secret, cancellationToken);
        }
        catch (Exception exception)
        {
            return Failed<TResult>(exception);
        }

        if (!reading.IsCompletedSuccessfully)
        {
            return ParseWhenReadAsync(reading, response, headers, settings, wrap);
        }

        try
        {
            return Task.FromResult(wrap(Parse<T>(reading.Result, settings)));
        }
        catch (JsonException exception)
        {
            return Task.FromException<TResult>(Unreadable<T>(response, headers, exception));
        }
        catch (Exception exception)
        {
            return Failed<TResult>(exception);
        }

        static async Task<TResult> ParseWhenReadAsync(
            ValueTask<Body> reading,
            HttpResponseMessage response,
            IReadOnlyDictionary<string, IEnumerable<string>> headers,
            JsonSerializerSettings settings,
            Func<T?, TResult> wrap)
        {
            var body = await reading.ConfigureAwait(false);
            try
            {
                return wrap(Parse<T>(body, settings));
            }
            catch (JsonException exception)
            {
                throw Unreadable<T>(response, headers, exception);
            }
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

    /// <summary>Parses <paramref name="body"/> and releases it (its buffer back to the pool, its stream disposed).</summary>
    private static T? Parse<T>(Body body, JsonSerializerSettings settings)
    {
        try
        {
            using var text = new BufferedTextReader(body.Buffer, body.Count, body.Rest);
            using var json = new JsonTextReader(text) { ArrayPool = CharPool.Instance };
            return Serializer(settings).Deserialize<T>(json);
        }
        finally
        {
            body.Release();
        }
    }

    /// <summary>
    /// Reads the first <see cref="FirstRead"/> bytes of <paramref name="content"/> (all of it, for a poll's answer), with
    /// <paramref name="secret"/> overwritten. Completes at once, without an asynchronous method, when the stream has
    /// them already.
    /// </summary>
    private static ValueTask<Body> ReadBodyAsync(HttpContent content, byte[]? secret, CancellationToken cancellationToken)
    {
        if (secret is not null && !(content.Headers.ContentLength < FirstRead))
        {
            // Possibly longer than the first read: redacted as it streams, like every wrapped answer.
            content = new RedactingContent(content, secret);
            secret = null;
        }

        var opening = content.ReadAsStreamAsync(cancellationToken);
        if (!opening.IsCompletedSuccessfully)
        {
            return OpenAndFillAsync(opening, secret, cancellationToken);
        }

        var stream = opening.Result;
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var reading = stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (!reading.IsCompletedSuccessfully)
                {
                    // From here the asynchronous path owns the buffer and the stream.
                    return FillAsync(stream, buffer, filled, reading, secret, cancellationToken);
                }

                var read = reading.Result;
                if (read == 0)
                {
                    return new ValueTask<Body>(Ended(stream, buffer, filled, secret));
                }

                filled += read;
            }
        }
        catch
        {
            Release(stream, buffer);
            throw;
        }

        return secret is null
            ? new ValueTask<Body>(new Body(buffer, filled, stream, rest: stream, pooled: true))
            : ReadWholeAsync(stream, buffer, filled, secret, cancellationToken);
    }

    private static async ValueTask<Body> OpenAndFillAsync(Task<Stream> opening, byte[]? secret, CancellationToken cancellationToken)
    {
        var stream = await opening.ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        return await FillAsync(stream, buffer, 0, stream.ReadAsync(buffer, cancellationToken), secret, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Goes on filling <paramref name="buffer"/> from <paramref name="pending"/>, a read under way; owns the buffer and the stream.</summary>
    private static async ValueTask<Body> FillAsync(
        Stream stream, byte[] buffer, int filled, ValueTask<int> pending, byte[]? secret, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var read = await pending.ConfigureAwait(false);
                if (read == 0)
                {
                    return Ended(stream, buffer, filled, secret);
                }

                filled += read;
                if (filled == buffer.Length)
                {
                    break;
                }

                pending = stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            }
        }
        catch
        {
            Release(stream, buffer);
            throw;
        }

        return secret is null
            ? new Body(buffer, filled, stream, rest: stream, pooled: true)
            : await ReadWholeAsync(stream, buffer, filled, secret, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The whole body is in <paramref name="buffer"/>: the secret overwritten, nothing left to read.</summary>
    private static Body Ended(Stream stream, byte[] buffer, int filled, byte[]? secret)
    {
        if (secret is not null)
        {
            Overwrite(buffer.AsSpan(0, filled), secret);
        }

        return new Body(buffer, filled, stream, rest: null, pooled: true);
    }

    /// <summary>
    /// More than Content-Length promised (only a content that breaks its own header) while a secret is to be
    /// overwritten: read it all, then redact. Owns the buffer and the stream.
    /// </summary>
    private static async ValueTask<Body> ReadWholeAsync(Stream stream, byte[] buffer, int filled, byte[] secret, CancellationToken cancellationToken)
    {
        try
        {
            var whole = new MemoryStream();
            whole.Write(buffer, 0, filled);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null!;
            await stream.CopyToAsync(whole, cancellationToken).ConfigureAwait(false);
            var bytes = whole.GetBuffer();
            var length = checked((int)whole.Length);
            Overwrite(bytes.AsSpan(0, length), secret);
            return new Body(bytes, length, stream, rest: null, pooled: false);
        }
        catch
        {
            Release(stream, buffer);
            throw;
        }
    }

    private static void Release(Stream stream, byte[]? pooled)
    {
        if (pooled is not null)
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }

        stream.Dispose();
    }

    /// <summary>A failed task for <paramref name="exception"/>; a cancellation stays a cancellation.</summary>
    private static Task<TResult> Failed<TResult>(Exception exception)
    {
        if (exception is OperationCanceledException { CancellationToken.IsCancellationRequested: true } canceled)
        {
            return Task.FromCanceled<TResult>(canceled.CancellationToken);
        }

        return Task.FromException<TResult>(exception);
    }

    /// <summary>
    /// The first bytes of a body (<see cref="Count"/> of <see cref="Buffer"/>) and, when the body is longer, the stream
    /// that holds the rest. <see cref="Release"/> gives the buffer back and disposes the stream.
    /// </summary>
    private readonly struct Body(byte[] buffer, int count, Stream stream, Stream? rest, bool pooled)
    {
        public byte[] Buffer { get; } = buffer;

        public int Count { get; } = count;

        public Stream? Rest { get; } = rest;

        public void Release() => GeneratedJson.Release(stream, pooled ? Buffer : null);
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
