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
/// whether they start an occurrence.
/// </remarks>
internal sealed class RedactingContent : HttpContent
{
    /// <summary>Shorter keys are not redacted: overwriting every occurrence of a short string would corrupt bodies.</summary>
    public const int MinimumSecretLength = 8;

    private readonly HttpContent _inner;
    private readonly byte[] _secret;

    public RedactingContent(HttpContent inner, byte[] secret)
    {
        _inner = inner;
        _secret = secret;
        foreach (var (name, values) in inner.Headers)
        {
            Headers.TryAddWithoutValidation(name, values);
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

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new RedactingStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _secret);

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var source = CreateContentReadStream(cancellationToken);
        source.CopyTo(stream);
    }

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new RedactingStream(_inner.ReadAsStream(cancellationToken), _secret);

    protected override bool TryComputeLength(out long length)
    {
        // The copied Content-Length header (if any) is still true; otherwise the length is unknown.
        length = 0;
        return false;
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
        private byte[] _buffer;
        private int _start;
        private int _end;
        private bool _eof;

        public RedactingStream(Stream inner, byte[] secret)
        {
            _inner = inner;
            _secret = secret;
            _buffer = new byte[Math.Max(16 * 1024, secret.Length * 2)];
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

                Fill(await _inner.ReadAsync(Space(), cancellationToken).ConfigureAwait(false));
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
            }

            base.Dispose(disposing);
        }

        /// <summary>Copies out the bytes that can no longer be part of an unseen occurrence; false when more input is needed.</summary>
        private bool TryEmit(Span<byte> destination, out int copied)
        {
            copied = 0;
            if (destination.IsEmpty)
            {
                return true;
            }

            Redact();
            var available = _end - _start;
            var safe = _eof ? available : available - (_secret.Length - 1);
            if (safe <= 0)
            {
                return _eof;
            }

            copied = Math.Min(safe, destination.Length);
            _buffer.AsSpan(_start, copied).CopyTo(destination);
            _start += copied;
            return true;
        }

        private void Redact()
        {
            var data = _buffer.AsSpan(_start, _end - _start);
            var from = 0;
            while (from < data.Length)
            {
                var index = data[from..].IndexOf(_secret);
                if (index < 0)
                {
                    return;
                }

                data.Slice(from + index, _secret.Length).Fill((byte)'*');
                from += index + _secret.Length;
            }
        }

        /// <summary>Room at the end of the buffer for the next read (compacting or growing it first).</summary>
        private Memory<byte> Space()
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            return _buffer.AsMemory(_end);
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
