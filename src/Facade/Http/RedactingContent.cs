using System.Buffers;
using System.Net;

namespace AsyncTasks.Http;

/// <summary>
/// A response body with every occurrence of a secret (the API key the request carried) overwritten by '*', byte for
/// byte, as it streams. A gateway that echoes the request's key back (in an error message, say) would otherwise put
/// it into exception messages, logs and <see cref="TaskSnapshot.RawResponse"/>, all of which are shown to people.
/// </summary>
/// <remarks>
/// The replacement has the secret's length, so Content-Length stays true and the body stays valid JSON. The body is
/// never buffered whole: only the last <c>secret.Length - 1</c> bytes are held back until the next read shows
/// whether they start an occurrence. The read buffer is rented from <see cref="ArrayPool{T}.Shared"/> and returned
/// when the stream is disposed; every byte is searched once.
/// </remarks>
internal sealed class RedactingContent : HttpContent
{
    /// <summary>Shorter keys are not redacted: overwriting every occurrence of a short string would corrupt bodies.</summary>
    public const int MinimumSecretLength = 8;

    private const int BufferSize = 16 * 1024;

    private readonly HttpContent _inner;
    private readonly byte[] _secret;

    public RedactingContent(HttpContent inner, byte[] secret)
    {
        _inner = inner;
        _secret = secret;

        // The raw values, as received: no parsing of the inner headers and no array per header.
        foreach (var (name, values) in inner.Headers.NonValidated)
        {
            if (values.Count == 1)
            {
                Headers.TryAddWithoutValidation(name, values.ToString());
            }
            else
            {
                Headers.TryAddWithoutValidation(name, values);
            }
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        var inner = _inner.ReadAsStreamAsync(cancellationToken);
        return inner.IsCompletedSuccessfully
            ? Task.FromResult<Stream>(new RedactingStream(inner.Result, _secret))
            : WrapAsync(inner, _secret);

        static async Task<Stream> WrapAsync(Task<Stream> inner, byte[] secret) =>
            new RedactingStream(await inner.ConfigureAwait(false), secret);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var source = CreateContentReadStream(cancellationToken);
        source.CopyTo(stream);
    }

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new RedactingStream(_inner.ReadAsStream(cancellationToken), _secret);

    protected override bool TryComputeLength(out long length)
    {
        // The redaction keeps the length: the copied Content-Length header (if any) is still true, and otherwise the
        // inner content's own length is (an in-memory content's, say); unknown when the inner content cannot tell.
        var inner = _inner.Headers.ContentLength;
        length = inner ?? 0;
        return inner is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A read-only stream over another that overwrites the secret wherever it occurs.</summary>
    private sealed class RedactingStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _secret;
        private byte[]? _buffer;

        /// <summary>The bytes read but not yet given out are <c>_buffer[_start.._end]</c>.</summary>
        private int _start;
        private int _end;

        /// <summary>Every occurrence that starts before this index has been overwritten; the search resumes here.</summary>
        private int _searched;
        private bool _eof;

        /// <summary>An inner read into the buffer is under way: a dispose meanwhile must not return the buffer to the pool.</summary>
        private bool _reading;

        public RedactingStream(Stream inner, byte[] secret)
        {
            _inner = inner;
            _secret = secret;
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(BufferSize, secret.Length * 2));
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (true)
            {
                if (TryEmit(buffer, out var copied))
                {
                    return copied;
                }

                Fill(_inner.Read(Space().Span));
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (TryEmit(buffer.Span, out var copied))
                {
                    return copied;
                }

                _reading = true;
                try
                {
                    Fill(await _inner.ReadAsync(Space(), cancellationToken).ConfigureAwait(false));
                }
                finally
                {
                    _reading = false;
                }
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                if (_buffer is { } buffer)
                {
                    _buffer = null;
                    if (!_reading)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }

            base.Dispose(disposing);
        }

        private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(RedactingStream));

        /// <summary>Copies out the bytes that can no longer be part of an unseen occurrence; false when more input is needed.</summary>
        private bool TryEmit(Span<byte> destination, out int copied)
        {
            copied = 0;
            if (destination.IsEmpty)
            {
                return true;
            }

            var buffer = Buffer;
            Redact(buffer);
            var available = _end - _start;
            var safe = _eof ? available : available - (_secret.Length - 1);
            if (safe <= 0)
            {
                return _eof;
            }

            copied = Math.Min(safe, destination.Length);
            buffer.AsSpan(_start, copied).CopyTo(destination);
            _start += copied;
            return true;
        }

        /// <summary>Overwrites the occurrences in the bytes not searched yet (and in the held-back tail they may complete).</summary>
        private void Redact(byte[] buffer)
        {
            var from = Math.Max(_searched, _start);
            while (_end - from >= _secret.Length)
            {
                var index = buffer.AsSpan(from, _end - from).IndexOf(_secret);
                if (index < 0)
                {
                    // No occurrence starts before the last secret.Length - 1 bytes; they are searched again with
                    // the next read, which may complete one.
                    from = _end - (_secret.Length - 1);
                    break;
                }

                buffer.AsSpan(from + index, _secret.Length).Fill((byte)'*');
                from += index + _secret.Length;
            }

            _searched = from;
        }

        /// <summary>Room at the end of the buffer for the next read (compacting or growing it first).</summary>
        private Memory<byte> Space()
        {
            var buffer = Buffer;
            if (_start > 0)
            {
                buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
                _end -= _start;
                _searched = Math.Max(_searched - _start, 0);
                _start = 0;
            }

            if (_end == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, _end).CopyTo(larger);
                _buffer = larger;
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            return buffer.AsMemory(_end);
        }

        private void Fill(int read)
        {
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }
}
