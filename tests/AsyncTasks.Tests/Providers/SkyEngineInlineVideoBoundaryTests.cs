using System.Buffers;
using System.Text;
using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// The edges of the SkyEngine inline video scan and decoder: the length from which a string is decoded by the
/// facade, values in one segment and across segments, padding, texts too short or too long to be base64 of an array.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class SkyEngineInlineVideoBoundaryTests
{
    private const int Minimum = SkyEngineOperationReader.MinimumInlineLength;

    [TestCase(Minimum, 1)]
    [TestCase(Minimum - 4, 0)]
    [TestCase(Minimum + 4, 1)]
    public void AStringIsTakenFromExactlyTheMinimumInlineLengthWhetherInOneSegmentOrMany(int length, int expected)
    {
        // Arrange
        var text = Base64Text(length);
        const string prefix = """{"done":true,"response":{"videos":[{"bytesBase64Encoded":""";
        var body = Encoding.UTF8.GetBytes(prefix + "\"" + text + "\"}]}}");

        // Act
        var inOneSegment = SkyEngineOperationReader.FindInlineVideos(new ReadOnlySequence<byte>(body), Minimum);
        var inSegments = SkyEngineOperationReader.FindInlineVideos(Segments(body, 1000), Minimum);

        // Assert: the range starts at the opening quote and holds the value without its quotes.
        var ranges = Enumerable.Repeat(((long)prefix.Length, (long)length), expected).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inOneSegment, Is.EqualTo(ranges));
            Assert.That(inSegments, Is.EqualTo(ranges));
        }
    }

    [TestCase("")]
    [TestCase("Q")]
    [TestCase("QU")]
    [TestCase("QUJ")]
    [TestCase("QUJDR")]
    public void TextWhoseLengthIsNotAWholeNumberOfQuantaIsNotDecoded(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SkyEngineOperationReader.DecodeBase64(new ReadOnlySequence<byte>(bytes)), Is.Null, "one segment");
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(bytes, 1)), Is.Null, "1 byte a segment");
        }
    }

    [TestCase("QQ==", new byte[] { 0x41 })]
    [TestCase("QUI=", new byte[] { 0x41, 0x42 })]
    [TestCase("QUJD", new byte[] { 0x41, 0x42, 0x43 })]
    [TestCase("QUJDQQ==", new byte[] { 0x41, 0x42, 0x43, 0x41 })]
    [TestCase("QUJDQUI=", new byte[] { 0x41, 0x42, 0x43, 0x41, 0x42 })]
    public void PaddedBase64DecodesToItsExactBytesInOneSegmentOrQuantumByQuantum(string text, byte[] expected)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SkyEngineOperationReader.DecodeBase64(new ReadOnlySequence<byte>(bytes)), Is.EqualTo(expected), "one segment");
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(bytes, 4)), Is.EqualTo(expected), "4 bytes a segment");
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(bytes, 3)), Is.EqualTo(expected), "3 bytes a segment");
        }
    }

    [TestCase("QQ==QUJD")]
    [TestCase("QUI=QUJD")]
    [TestCase("QUJD====")]
    [TestCase("QUJDQ===")]
    [TestCase("QUJD!UJD")]
    public void PaddingOrForeignBytesInsideTheTextAreNotDecoded(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SkyEngineOperationReader.DecodeBase64(new ReadOnlySequence<byte>(bytes)), Is.Null, "one segment");
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(bytes, 4)), Is.Null, "4 bytes a segment");
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(bytes, 3)), Is.Null, "3 bytes a segment");
        }
    }

    [Test]
    public void TextLongerThanAnyArrayCanHoldIsLeftAloneWithoutAllocating()
    {
        // Arrange: 2731 segments over one 1 MiB buffer: 2.67 G chars of 'A', 2 GiB and more once decoded.
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)'A');
        var sequence = Repeated(chunk, 2731);
        Assert.That(sequence.Length / 4 * 3, Is.GreaterThan(Array.MaxLength));

        // Act
        var decoded = SkyEngineOperationReader.DecodeBase64(sequence);

        // Assert
        Assert.That(decoded, Is.Null);
    }

    private static string Base64Text(int length)
    {
        var bytes = Enumerable.Range(0, length / 4 * 3).Select(i => (byte)(i * 7)).ToArray();
        var text = Convert.ToBase64String(bytes);
        Assert.That(text, Has.Length.EqualTo(length));
        return text;
    }

    /// <summary>The bytes in segments of <paramref name="size"/> bytes (the last one shorter).</summary>
    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        for (var at = 0; at < bytes.Length; at += size)
        {
            var piece = bytes[at..Math.Min(at + size, bytes.Length)];
            last = new Segment(piece, last is null ? 0 : last.RunningIndex + last.Memory.Length, last);
            first ??= last;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary><paramref name="count"/> segments that all show the same <paramref name="bytes"/>.</summary>
    private static ReadOnlySequence<byte> Repeated(byte[] bytes, int count)
    {
        var first = new Segment(bytes, 0, null);
        var last = first;
        for (var i = 1; i < count; i++)
        {
            last = new Segment(bytes, last.RunningIndex + last.Memory.Length, last);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes, long runningIndex, Segment? previous)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
            if (previous is not null)
            {
                previous.Next = this;
            }
        }
    }
}
