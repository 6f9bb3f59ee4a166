using System.Buffers;

namespace AsyncTasks.Http;

/// <summary>
/// A response body read whole into memory, each byte copied once: into chunks sized by Content-Length when the
/// server sends one (trusted only up to <see cref="MaxChunk"/> at a time, so a false length cannot make it allocate
/// more than it receives), growing otherwise. Read back as a <see cref="ReadOnlySequence{T}"/>, or through a stream
/// that can splice replacement bytes in for ranges of the body.
/// </summary>
/// <remarks>
/// Small chunks come from <see cref="ArrayPool{T}.Shared"/> and go back on <see cref="Dispose"/>; large ones are
/// plain arrays, so that a large body does not stay in the pool after it is read.
/// </remarks>
internal sealed class ResponseBody : IDisposable
{
    /// <summary>The largest chunk: large enough that a big body has few of them, small enough to waste little.</summary>
    internal const int MaxChunk = 4 * 1024 * 1024;

    private const int FirstChunk = 16 * 1024;
    private const int MaxPooledChunk = 64 * 1024;

    private readonly List<(byte[] Array, int Length, bool Pooled)> _chunks = [];
    private ReadOnlySequence<byte>? _sequence;
    private bool _disposed;

    private ResponseBody()
    {
    }

    /// <summary>The number of bytes read.</summary>
    public long Length { get; private set; }

    /// <summary>The body as a sequence (one segment per chunk).</summary>
    public ReadOnlySequence<byte> Sequence
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _sequence ??= Build();
        }
    }

    /// <summary>Reads <paramref name="content"/> to its end (and disposes its stream).</summary>
    public static async Task<ResponseBody> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var expected = content.Headers.ContentLength;
        var body = new ResponseBody();
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var (chunk, pooled) = Allocate(NextChunkSize(0, expected));
                var used = 0;
                while (true)
                {
                    if (used == chunk.Length)
                    {
                        body.Add(chunk, used, pooled);
                        (chunk, pooled) = Allocate(NextChunkSize(body.Length, expected));
                        used = 0;
                    }

                    var read = await stream.ReadAsync(chunk.AsMemory(used), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    used += read;
                }

                if (used > 0)
                {
                    body.Add(chunk, used, pooled);
                }
                else if (pooled)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A stream of the body in which each range of <paramref name="splices"/> (in order, not overlapping) reads as
    /// its replacement. Valid until the body is disposed.
    /// </summary>
    public Stream OpenRead(IReadOnlyList<Splice> splices)
    {
        var sequence = Sequence;
        var pieces = new List<ReadOnlyMemory<byte>>(_chunks.Count + (2 * splices.Count));
        long at = 0;
        foreach (var splice in splices)
        {
            AddPieces(pieces, sequence.Slice(at, splice.Start - at));
            pieces.Add(splice.Replacement);
            at = splice.Start + splice.Length;
        }

        AddPieces(pieces, sequence.Slice(at));
        return new PiecesStream(pieces);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (array, _, pooled) in _chunks)
        {
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }

        _chunks.Clear();
    }

    private ReadOnlySequence<byte> Build()
    {
        if (_chunks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (_chunks.Count == 1)
        {
            return new ReadOnlySequence<byte>(_chunks[0].Array, 0, _chunks[0].Length);
        }

        var first = new Segment(_chunks[0].Array.AsMemory(0, _chunks[0].Length), 0, null);
        var last = first;
        for (var i = 1; i < _chunks.Count; i++)
        {
            last = new Segment(_chunks[i].Array.AsMemory(0, _chunks[i].Length), last.RunningIndex + last.Memory.Length, last);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Up to <see cref="MaxChunk"/> of what Content-Length still announces; then a small chunk to see the end.</summary>
    private static int NextChunkSize(long read, long? expected)
    {
        if (expected is { } length && length > read)
        {
            return (int)Math.Min(length - read, MaxChunk);
        }

        return expected is not null
            ? 4096
            : (int)Math.Clamp(read, FirstChunk, MaxChunk);
    }

    private static (byte[] Array, bool Pooled) Allocate(int size) =>
        size <= MaxPooledChunk
            ? (ArrayPool<byte>.Shared.Rent(size), true)
            : (GC.AllocateUninitializedArray<byte>(size), false);

    private static void AddPieces(List<ReadOnlyMemory<byte>> pieces, ReadOnlySequence<byte> sequence)
    {
        foreach (var memory in sequence)
        {
            if (!memory.IsEmpty)
            {
                pieces.Add(memory);
            }
        }
    }

    private void Add(byte[] array, int length, bool pooled)
    {
        _chunks.Add((array, length, pooled));
        Length += length;
    }

    /// <summary>A range of the body and what it reads as instead.</summary>
    internal readonly record struct Splice(long Start, long Length, ReadOnlyMemory<byte> Replacement);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex, Segment? previous)
        {
            Memory = memory;
            RunningIndex = runningIndex;
            if (previous is not null)
            {
                previous.Next = this;
            }
        }
    }

    /// <summary>A read-only stream over consecutive pieces of memory.</summary>
    private sealed class PiecesStream(List<ReadOnlyMemory<byte>> pieces) : Stream
    {
        private int _piece;
        private int _offset;

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
            var copied = 0;
            while (copied < buffer.Length && _piece < pieces.Count)
            {
                var rest = pieces[_piece].Span[_offset..];
                var count = Math.Min(rest.Length, buffer.Length - copied);
                rest[..count].CopyTo(buffer[copied..]);
                copied += count;
                _offset += count;
                if (_offset == pieces[_piece].Length)
                {
                    _piece++;
                    _offset = 0;
                }
            }

            return copied;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
