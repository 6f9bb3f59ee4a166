using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using AsyncTasks.Http;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="RedactingContent"/> under every way a body can arrive and be read: inner reads of any size (the key
/// split anywhere), reads of any size by the caller through each read method, the hold-back of the last
/// <c>key.Length - 1</c> bytes, a bounded buffer for a large body, length and headers, and what disposing does.
/// </summary>
[TestFixture]
internal sealed class RedactingStreamBehaviourTests
{
    private const string Secret = "sk-test-SECRET-unit-0123456789";

    private static readonly string Stars = new('*', Secret.Length);

    /// <summary>Bodies with the key at the start, the end, twice in a row, overlapping a near miss, and past the first buffer.</summary>
    private static readonly string[] Bodies =
    [
        Secret,
        Secret + "tail",
        "head" + Secret,
        Secret + Secret + "x" + Secret,
        "near " + Secret[..^1] + "X and " + Secret[..^1] + Secret + " end",
        "{\"message\":\"bad key Bearer " + Secret + "\"} prefix at the end " + Secret[..^1],
        Secret + new string('a', 20_000) + Secret + new string('b', 16_384) + Secret,
        new string('c', 16_384 - 10) + Secret + new string('d', 40_000) + Secret[..5],
    ];

    /// <summary>Sizes of the inner reads (the last repeats): single bytes, odd sizes, exactly the key, everything at once.</summary>
    private static readonly int[][] InnerReads =
    [
        [1],
        [7],
        [Secret.Length - 1],
        [Secret.Length],
        [Secret.Length + 1],
        [Secret.Length, int.MaxValue],
        [3, Secret.Length, 5000, 1],
        [int.MaxValue],
    ];

    private static readonly int[] CallerReads = [1, 13, Secret.Length, 4096, 100_000];

    public enum ReadMethod
    {
        MemoryAsync,
        ArrayAsync,
        SpanSync,
        ArraySync,
    }

    private static IEnumerable<TestCaseData> ReadPatterns() =>
        from inner in Enumerable.Range(0, InnerReads.Length)
        from caller in CallerReads
        from method in Enum.GetValues<ReadMethod>()
        select new TestCaseData(inner, caller, method)
            .SetArgDisplayNames("inner " + string.Join('/', InnerReads[inner]), "caller " + caller, method.ToString());

    [TestCaseSource(nameof(ReadPatterns))]
    public async Task EveryOccurrenceIsOverwrittenAndEveryOtherByteKeptWhateverTheReads(int innerPattern, int callerRead, ReadMethod method)
    {
        foreach (var body in Bodies)
        {
            // Arrange
            using var content = Redacting(body, InnerReads[innerPattern]);
            await using var stream = await content.ReadAsStreamAsync();

            // Act
            var text = Encoding.ASCII.GetString(await ReadAllAsync(stream, callerRead, method));

            // Assert
            Assert.That(text, Is.EqualTo(body.Replace(Secret, Stars, StringComparison.Ordinal)), $"body of {body.Length} bytes");
        }
    }

    [Test]
    public async Task OnlyTheLastKeyLengthMinusOneBytesAreHeldBackUntilMoreArrives()
    {
        // Arrange: 100 bytes arrive per inner read; the first 71 cannot start an occurrence that more input completes.
        var body = new string('a', 100) + new string('b', 100);
        using var content = Redacting(body, [100]);
        await using var stream = await content.ReadAsStreamAsync();
        var buffer = new byte[4096];

        // Act
        var first = await stream.ReadAsync(buffer);
        var second = await stream.ReadAsync(buffer);
        var third = await stream.ReadAsync(buffer);
        var last = await stream.ReadAsync(buffer);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(100 - (Secret.Length - 1)));
            Assert.That(second, Is.EqualTo(100));
            Assert.That(third, Is.EqualTo(Secret.Length - 1), "the rest once the end is seen");
            Assert.That(last, Is.Zero);
        }
    }

    [Test]
    public async Task AReadOfZeroBytesReturnsZeroAndConsumesNothing()
    {
        // Arrange
        using var content = Redacting("x" + Secret + "y", [4]);
        await using var stream = await content.ReadAsStreamAsync();

        // Act
        var empty = await stream.ReadAsync(Memory<byte>.Empty);
        var emptySync = stream.Read([], 0, 0);
        var text = Encoding.ASCII.GetString(await ReadAllAsync(stream, 4096, ReadMethod.MemoryAsync));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(empty, Is.Zero);
            Assert.That(emptySync, Is.Zero);
            Assert.That(text, Is.EqualTo("x" + Stars + "y"));
        }
    }

    [Test]
    public async Task TheStreamIsReadOnlyAndCannotSeek()
    {
        // Arrange
        using var content = Redacting("body", [4]);

        // Act
        await using var stream = await content.ReadAsStreamAsync();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stream.CanRead, Is.True);
            Assert.That(stream.CanSeek, Is.False);
            Assert.That(stream.CanWrite, Is.False);
            Assert.That(() => stream.Length, Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Position, Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Position = 0, Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Seek(0, SeekOrigin.Begin), Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.SetLength(0), Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Write([1], 0, 1), Throws.InstanceOf<NotSupportedException>());
        }
    }

    [Test]
    public void ASynchronousCopyRedactsToo()
    {
        // Arrange
        using var content = Redacting("[" + Secret + "]", [5]);
        using var destination = new MemoryStream();

        // Act
        content.CopyTo(destination, null, CancellationToken.None);

        // Assert
        Assert.That(Encoding.ASCII.GetString(destination.ToArray()), Is.EqualTo("[" + Stars + "]"));
    }

    [Test]
    public void ALargeBodyIsReadInLargeInnerReadsThroughABoundedBuffer()
    {
        // Arrange: 4 MiB without the key, read synchronously (one thread) in 16 KiB pieces.
        var bytes = new byte[4 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        var inner = new ScriptedStream(bytes, [int.MaxValue]);
        using var content = new RedactingContent(new StreamContent(inner), Encoding.ASCII.GetBytes(Secret));
        using var stream = content.ReadAsStream();
        var piece = new byte[16 * 1024];
        using var copy = new MemoryStream(bytes.Length);
        _ = stream.Read(piece, 0, 1);
        copy.Write(piece, 0, 1);

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        int read;
        while ((read = stream.Read(piece, 0, piece.Length)) > 0)
        {
            copy.Write(piece, 0, read);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(copy.ToArray(), Is.EqualTo(bytes));
            Assert.That(allocated, Is.LessThan(256 * 1024), "the body is never held whole");
            Assert.That(inner.Reads, Is.LessThanOrEqualTo((bytes.Length / (16 * 1024)) + 4), "16 KiB inner reads, not key-sized ones");
        }
    }

    [Test]
    public async Task DisposingTheStreamDisposesTheBodyUnderItAndEndsReadingEvenWithBytesBuffered()
    {
        // Arrange: the whole body arrives with the first read, so most of it is in the buffer after one byte is read.
        var inner = new ScriptedStream(Encoding.ASCII.GetBytes("x" + Secret + new string('y', 200)), [int.MaxValue]);
        using var content = new RedactingContent(new StreamContent(inner), Encoding.ASCII.GetBytes(Secret));
        var stream = await content.ReadAsStreamAsync();
        var buffer = new byte[1];
        _ = await stream.ReadAsync(buffer);

        // Act
        await stream.DisposeAsync();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inner.Disposed, Is.True);
            Assert.That(async () => await stream.ReadAsync(buffer), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(() => stream.Read(buffer, 0, 1), Throws.InstanceOf<ObjectDisposedException>());
        }
    }

    [Test]
    public async Task DisposingTheContentDisposesTheInnerContentAndTheStreamItGaveOut()
    {
        // Arrange
        var inner = new ScriptedStream(Encoding.ASCII.GetBytes("x" + Secret + new string('y', 200)), [int.MaxValue]);
        var innerContent = new StreamContent(inner);
        var content = new RedactingContent(innerContent, Encoding.ASCII.GetBytes(Secret));
        var stream = await content.ReadAsStreamAsync();
        var buffer = new byte[1];
        _ = await stream.ReadAsync(buffer);

        // Act
        content.Dispose();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inner.Disposed, Is.True);
            Assert.That(async () => await stream.ReadAsync(buffer), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(() => innerContent.ReadAsStream(), Throws.InstanceOf<ObjectDisposedException>());
        }
    }

    [Test]
    public async Task ADisposeDuringAPendingReadKeepsTheBufferOutOfThePoolAndEndsTheRead()
    {
        // Arrange: hold this thread's pooled array of the buffer's size, so a buffer handed back would be the next one rented.
        var held = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var inner = new PendingStream();
        using var content = new RedactingContent(new StreamContent(inner), Encoding.ASCII.GetBytes(Secret));
        var stream = await content.ReadAsStreamAsync();
        var reading = stream.ReadAsync(new byte[64]).AsTask();
        Assert.That(MemoryMarshal.TryGetArray<byte>(inner.Target, out var target), Is.True, "premise: the inner read is under way");

        // Act
        await stream.DisposeAsync();
        var rented = ArrayPool<byte>.Shared.Rent(16 * 1024);
        inner.Complete(0);

        // Assert
        try
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(rented, Is.Not.SameAs(target.Array), "the buffer the inner read writes into is not lent out again");
                Assert.That(async () => await reading, Throws.InstanceOf<ObjectDisposedException>());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    [Test]
    public void AFailureToOpenTheInnerBodySurfacesAsItself()
    {
        // Arrange
        using var content = new RedactingContent(new FailingContent(), Encoding.ASCII.GetBytes(Secret));

        // Act, Assert
        var exception = Assert.ThrowsAsync<IOException>(() => content.ReadAsStreamAsync());
        Assert.That(exception.Message, Is.EqualTo("connection reset"));
    }

    [Test]
    public void TheLengthIsTheInnerContentsOwnWhenNoHeaderSaysIt()
    {
        // Arrange: a seekable body knows its length without a Content-Length header.
        var bytes = Encoding.ASCII.GetBytes("[" + Secret + "]");
        using var content = new RedactingContent(new StreamContent(new MemoryStream(bytes)), Encoding.ASCII.GetBytes(Secret));

        // Act
        var length = content.Headers.ContentLength;

        // Assert
        Assert.That(length, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void TheLengthStaysUnknownWhenTheInnerContentCannotTell()
    {
        // Arrange
        using var content = new RedactingContent(new StreamContent(new ScriptedStream([1, 2, 3], [1])), Encoding.ASCII.GetBytes(Secret));

        // Act
        var length = content.Headers.ContentLength;

        // Assert
        Assert.That(length, Is.Null);
    }

    [Test]
    public void AHeaderWithSeveralValuesKeepsThemAll()
    {
        // Arrange
        var inner = new ByteArrayContent([1]);
        inner.Headers.ContentLanguage.Add("en");
        inner.Headers.ContentLanguage.Add("de");
        inner.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        // Act
        using var content = new RedactingContent(inner, Encoding.ASCII.GetBytes(Secret));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(string.Join(",", content.Headers.ContentLanguage), Is.EqualTo("en,de"));
            Assert.That(content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        }
    }

    private static RedactingContent Redacting(string body, int[] innerReads) =>
        new(new StreamContent(new ScriptedStream(Encoding.ASCII.GetBytes(body), innerReads)), Encoding.ASCII.GetBytes(Secret));

    private static async Task<byte[]> ReadAllAsync(Stream stream, int size, ReadMethod method)
    {
        using var result = new MemoryStream();
        var buffer = new byte[size + 3];
        while (true)
        {
            var read = method switch
            {
                ReadMethod.MemoryAsync => await stream.ReadAsync(buffer.AsMemory(3, size)),
#pragma warning disable CA1835 // The array overload is one of the read paths under test.
                ReadMethod.ArrayAsync => await stream.ReadAsync(buffer, 3, size),
#pragma warning restore CA1835
                ReadMethod.SpanSync => stream.Read(buffer.AsSpan(3, size)),
                _ => stream.Read(buffer, 3, size),
            };
            if (read == 0)
            {
                return result.ToArray();
            }

            Assert.That(read, Is.LessThanOrEqualTo(size));
            result.Write(buffer, 3, read);
        }
    }

    /// <summary>A body that gives reads of the scripted sizes (the last one repeating), like a network; not seekable.</summary>
    private sealed class ScriptedStream(byte[] data, int[] sizes) : Stream
    {
        private int _position;

        public int Reads { get; private set; }

        public bool Disposed { get; private set; }

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
            ObjectDisposedException.ThrowIf(Disposed, this);
            var size = sizes[Math.Min(Reads, sizes.Length - 1)];
            Reads++;
            var count = Math.Min(Math.Min(size, buffer.Length), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
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

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A body whose first read stays pending until <see cref="Complete"/>.</summary>
    private sealed class PendingStream : Stream
    {
        private readonly TaskCompletionSource<int> _read = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The memory the pending read was given.</summary>
        public Memory<byte> Target { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Complete(int read) => _read.SetResult(read);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Target = buffer;
            return new ValueTask<int>(_read.Task);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A content whose body cannot be opened (the connection broke before it).</summary>
    private sealed class FailingContent : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            throw new NotSupportedException();

        protected override Task<Stream> CreateContentReadStreamAsync() =>
            Task.FromException<Stream>(new IOException("connection reset"));

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
