using System.Buffers;
using System.Text;
using AsyncTasks.Http;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="ResponseBody"/>: a body read whole into chunks sized by a true Content-Length (at most
/// <see cref="ResponseBody.MaxChunk"/> each) or growing without one, a false Content-Length survived, the body
/// read back with ranges spliced, and no use after dispose.
/// </summary>
[TestFixture]
internal sealed class ResponseBodyTests
{
    [Test]
    public async Task ABodyWithATrueContentLengthIsOneSegmentOfExactlyThatLength()
    {
        // Arrange
        var bytes = Bytes(100_000);

        // Act
        using var body = await ResponseBody.ReadAsync(Content(bytes, bytes.Length), CancellationToken.None);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Length, Is.EqualTo(bytes.Length));
            Assert.That(Segments(body), Is.EqualTo(new[] { bytes.Length }));
            Assert.That(body.Sequence.ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task AContentLengthOverTheLargestChunkIsTrustedOneChunkAtATime()
    {
        // Arrange
        var bytes = Bytes(ResponseBody.MaxChunk + 1000);

        // Act
        using var body = await ResponseBody.ReadAsync(Content(bytes, bytes.Length), CancellationToken.None);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Length, Is.EqualTo(bytes.Length));
            Assert.That(Segments(body), Is.EqualTo(new[] { ResponseBody.MaxChunk, 1000 }));
            Assert.That(body.Sequence.ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ABodyWithoutContentLengthIsReadIntoChunksThatGrowWithIt()
    {
        // Arrange: 16 KiB first, then as much as has been read (doubling).
        var bytes = Bytes(100_000);

        // Act
        using var body = await ResponseBody.ReadAsync(Content(bytes, null), CancellationToken.None);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Length, Is.EqualTo(bytes.Length));
            Assert.That(Segments(body), Is.EqualTo(new[] { 16_384, 16_384, 32_768, 100_000 - 65_536 }));
            Assert.That(body.Sequence.ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task AContentLengthShorterThanTheBodyStillGivesTheWholeBody()
    {
        // Arrange
        var bytes = Bytes(10_000);

        // Act
        using var body = await ResponseBody.ReadAsync(Content(bytes, 100), CancellationToken.None);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Length, Is.EqualTo(bytes.Length));
            Assert.That(body.Sequence.ToArray(), Is.EqualTo(bytes));
        }
    }

    [TestCase(100_000L)]
    [TestCase(100L)]
    [TestCase(null)]
    public async Task AnEmptyBodyIsEmptyWhateverItsContentLengthAnnounced(long? announced)
    {
        // Act
        using var body = await ResponseBody.ReadAsync(Content([], announced), CancellationToken.None);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Length, Is.Zero);
            Assert.That(body.Sequence.IsEmpty, Is.True);
            Assert.That(ReadAll(body.OpenRead([]), 10), Is.Empty);
        }
    }

    [Test]
    public async Task ReadingABodyOfKnownLengthAllocatesTheBodyOnce()
    {
        // Arrange: in-memory, so the read completes on this thread; warmed up once for the pool.
        var bytes = Bytes(1024 * 1024);
        using (await ResponseBody.ReadAsync(Content(bytes, bytes.Length), CancellationToken.None))
        {
        }

        using var content = Content(bytes, bytes.Length);

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        var reading = ResponseBody.ReadAsync(content, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using var body = await reading;

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading.IsCompletedSuccessfully, Is.True, "premise: read on this thread");
            Assert.That(allocated, Is.InRange(bytes.Length, bytes.Length + (64 * 1024)));
        }
    }

    [Test]
    public async Task SplicedRangesReadAsTheirReplacementsAndEverythingElseAsIs()
    {
        // Arrange: a body over several chunks; ranges at the start, inside, across a chunk boundary and at the end.
        var text = string.Concat(Enumerable.Range(0, 4000).Select(i => (char)('a' + (i % 26))));
        var bytes = Encoding.ASCII.GetBytes(text);
        using var body = await ResponseBody.ReadAsync(Content(bytes, null), CancellationToken.None);
        Assert.That(Segments(body), Has.Count.EqualTo(1), "premise: read as one chunk");
        using var chunked = await ResponseBody.ReadAsync(Content(Encoding.ASCII.GetBytes(text + new string('z', 40_000)), null), CancellationToken.None);
        Assert.That(Segments(chunked), Is.EqualTo(new[] { 16_384, 16_384, 44_000 - 32_768 }), "premise: read as three chunks");
        ResponseBody.Splice[] splices =
        [
            new(0, 3, "<A>"u8.ToArray()),
            new(10, 5, "<B>"u8.ToArray()),
            new(16_380, 10, "<C>"u8.ToArray()),
            new(40_000 + 4000 - 2, 2, "<D>"u8.ToArray()),
        ];

        // Act
        var small = Encoding.ASCII.GetString(ReadAll(body.OpenRead([new(5, 2, "[xy]"u8.ToArray()), new(100, 0, "+"u8.ToArray())]), 7));
        var large = Encoding.ASCII.GetString(ReadAll(chunked.OpenRead(splices), 5));

        // Assert
        var whole = text + new string('z', 40_000);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(small, Is.EqualTo(text[..5] + "[xy]" + text[7..100] + "+" + text[100..]));
            Assert.That(large, Is.EqualTo("<A>" + whole[3..10] + "<B>" + whole[15..16_380] + "<C>" + whole[16_390..^2] + "<D>"));
        }
    }

    [Test]
    public async Task TheSplicedStreamIsReadOnlyAndCannotSeek()
    {
        // Arrange
        using var body = await ResponseBody.ReadAsync(Content(Bytes(10), null), CancellationToken.None);

        // Act
        using var stream = body.OpenRead([]);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stream.CanRead, Is.True);
            Assert.That(stream.CanSeek, Is.False);
            Assert.That(stream.CanWrite, Is.False);
            Assert.That(() => stream.Length, Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Seek(0, SeekOrigin.Begin), Throws.InstanceOf<NotSupportedException>());
            Assert.That(() => stream.Write([1], 0, 1), Throws.InstanceOf<NotSupportedException>());
        }
    }

    [Test]
    public async Task ADisposedBodyCannotBeReadAndMayBeDisposedAgain()
    {
        // Arrange
        var body = await ResponseBody.ReadAsync(Content(Bytes(10), 10), CancellationToken.None);
        _ = body.Sequence;

        // Act
        body.Dispose();
        body.Dispose();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => body.Sequence, Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(() => body.OpenRead([]), Throws.InstanceOf<ObjectDisposedException>());
        }
    }

    private static byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }

    private static StreamContent Content(byte[] bytes, long? announced)
    {
        // Not seekable, as a network body: the length is only what the header announces.
        var content = new StreamContent(new ForwardOnlyStream(bytes));
        content.Headers.ContentLength = announced;
        return content;
    }

    private static List<int> Segments(ResponseBody body)
    {
        var lengths = new List<int>();
        foreach (var segment in body.Sequence)
        {
            lengths.Add(segment.Length);
        }

        return lengths;
    }

    private static byte[] ReadAll(Stream stream, int size)
    {
        using var result = new MemoryStream();
        var buffer = new byte[size];
        int read;
        while ((read = stream.Read(buffer, 0, size)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return result.ToArray();
    }

    /// <summary>A memory stream that does not tell its length.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
