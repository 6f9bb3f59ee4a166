using System.Text;
using AsyncTasks.Http;

namespace AsyncTasks.Tests.Client;

/// <summary>The response-body filter that overwrites an echoed key, including occurrences split across reads.</summary>
[TestFixture]
internal sealed class RedactingContentTests
{
    private const string Secret = "sk-test-SECRET-unit-0123456789";

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task EveryOccurrenceIsOverwrittenWhateverTheReadSize(int chunk)
    {
        // Arrange
        var body = $"{{\"a\":\"{Secret}\",\"b\":\"Bearer {Secret}{Secret}\",\"c\":\"sk-test-SECRET-unit-01234\"}}{Secret}";
        using var content = Redacting(body, chunk);

        // Act
        var text = await content.ReadAsStringAsync();

        // Assert
        var stars = new string('*', Secret.Length);
        Assert.That(text, Is.EqualTo($"{{\"a\":\"{stars}\",\"b\":\"Bearer {stars}{stars}\",\"c\":\"sk-test-SECRET-unit-01234\"}}{stars}"));
    }

    [Test]
    public async Task ABodyWithoutTheSecretIsUnchangedByteForByte()
    {
        // Arrange
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31)).ToArray();
        using var content = new RedactingContent(new StreamContent(new TrickleStream(bytes, 1000)), Encoding.UTF8.GetBytes(Secret));

        // Act
        var read = await content.ReadAsByteArrayAsync();

        // Assert
        Assert.That(read, Is.EqualTo(bytes));
    }

    [Test]
    public void HeadersAreKeptAndTheLengthStaysTrue()
    {
        // Arrange
        var inner = new ByteArrayContent(Encoding.UTF8.GetBytes(Secret));
        inner.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        inner.Headers.ContentLength = Secret.Length;

        // Act
        using var content = new RedactingContent(inner, Encoding.UTF8.GetBytes(Secret));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(content.Headers.ContentLength, Is.EqualTo(Secret.Length));
        }
    }

    [Test]
    public void SynchronousReadsRedactToo()
    {
        // Arrange
        using var content = Redacting("x" + Secret + "y", 2);

        // Act
        using var stream = content.ReadAsStream();
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();

        // Assert
        Assert.That(text, Is.EqualTo("x" + new string('*', Secret.Length) + "y"));
    }

    private static RedactingContent Redacting(string body, int chunk) =>
        new(new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(body), chunk)), Encoding.UTF8.GetBytes(Secret));

    /// <summary>Gives at most <c>chunk</c> bytes per read, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
