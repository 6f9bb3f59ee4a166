using System.Net;
using System.Text;
using AsyncTasks.Generated;
using AsyncTasks.Generated.Duomi;
using AsyncTasks.Providers;
using Newtonsoft.Json;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// The facade reads 200 bodies through <see cref="GeneratedJson"/> instead of the generated clients' StreamReader and
/// JsonTextReader. Whatever the body, encoding and the way it arrives, the object (or the error) must be exactly the one
/// the generated client's way of reading gives.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class GeneratedJsonTests
{
    private static readonly JsonSerializerSettings Settings = new();

    private static readonly string Envelope =
        """{"code":200,"msg":"ok","data":{"task_id":"t-1","state":"succeeded","data":{"images":[{"url":"https://x.example/a.png","file_name":"a.png"}],"description":"é ü 中文 😀"},"create_time":1700000000}}""";

    /// <summary>Bodies as bytes: encodings, byte order marks, malformed text and JSON, and long bodies whose chars straddle the first read.</summary>
    private static IEnumerable<TestCaseData> Bodies() =>
        NamedBodies().Select(b => new TestCaseData(b.Body).SetArgDisplayNames(b.Name));

    /// <summary>Each body delivered 1, 3, 1000 and up to 1 MiB bytes per read.</summary>
    private static IEnumerable<TestCaseData> BodiesInChunks() =>
        from chunk in new[] { 1, 3, 1000, 1 << 20 }
        from body in NamedBodies()
        select new TestCaseData(body.Body, chunk).SetArgDisplayNames(body.Name, $"{chunk} B per read");

    private static IEnumerable<(string Name, byte[] Body)> NamedBodies()
    {
        static (string, byte[]) Case(string name, byte[] body) => (name, body);

        yield return Case("utf-8", Encoding.UTF8.GetBytes(Envelope));
        yield return Case("utf-8 with a byte order mark", [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(Envelope)]);
        yield return Case("utf-16 LE with a mark", [.. Encoding.Unicode.Preamble, .. Encoding.Unicode.GetBytes(Envelope)]);
        yield return Case("utf-16 BE with a mark", [.. Encoding.BigEndianUnicode.Preamble, .. Encoding.BigEndianUnicode.GetBytes(Envelope)]);
        yield return Case("utf-32 LE with a mark", [.. Encoding.UTF32.Preamble, .. Encoding.UTF32.GetBytes(Envelope)]);
        var utf32Be = new UTF32Encoding(bigEndian: true, byteOrderMark: true);
        yield return Case("utf-32 BE with a mark", [.. utf32Be.Preamble, .. utf32Be.GetBytes(Envelope)]);
        yield return Case("invalid utf-8 in a string", Replace(Encoding.UTF8.GetBytes(Envelope), "ok", [0xFF, 0xC3]));
        yield return Case("truncated multi-byte char at the end", [.. Encoding.UTF8.GetBytes("""{"code":200,"msg":"""), 0x22, 0xE4, 0xB8]);
        yield return Case("empty", []);
        yield return Case("only whitespace", Encoding.UTF8.GetBytes("  \r\n "));
        yield return Case("null", Encoding.UTF8.GetBytes("null"));
        yield return Case("cut short", Encoding.UTF8.GetBytes("""{"code":200,"data":{"state":"""));
        yield return Case("not JSON", Encoding.UTF8.GetBytes("<html>502 Bad Gateway</html>"));
        yield return Case("wrong type", Encoding.UTF8.GetBytes("""{"code":"abc"}"""));
        yield return Case("extra content after the object", Encoding.UTF8.GetBytes("""{"code":200} {"code":201}"""));
        yield return Case("a byte order mark only", [.. Encoding.UTF8.Preamble]);
        yield return Case("one byte of a mark", [0xFF]);

        // A multi-byte char at every position around the end of the first read, in UTF-8 and UTF-16.
        foreach (var shift in new[] { -4, -3, -2, -1, 0, 1, 2 })
        {
            foreach (var ch in new[] { "é", "中", "😀" })
            {
                var prefix = """{"code":200,"msg":""" + "\"";
                var padding = new string('a', GeneratedJson.FirstRead + shift - prefix.Length);
                var text = prefix + padding + ch + new string('b', 40) + "\"}";
                yield return Case($"utf-8 '{ch}' at first read {shift:+0;-0;0}", Encoding.UTF8.GetBytes(text));
            }
        }

        yield return Case("utf-16 LE with a pair across the first read",
            [.. Encoding.Unicode.Preamble, .. Encoding.Unicode.GetBytes("""{"msg":""" + "\"" + new string('a', (GeneratedJson.FirstRead / 2) - 9) + "😀😀\"}")]);
        yield return Case("long body (100 KiB, many refills)",
            Encoding.UTF8.GetBytes("""{"code":200,"msg":""" + "\"" + string.Concat(Enumerable.Repeat("0123456789é中😀", 5000)) + "\"}"));
    }

    [TestCaseSource(nameof(BodiesInChunks))]
    public async Task Reads_every_body_as_the_generated_client_does(byte[] body, int chunk)
    {
        var expected = Reference(body);
        using var content = new StreamContent(new TrickleStream(body, chunk));
        string actual;
        try
        {
            actual = Describe(await GeneratedJson.ReadAsync<NanoBananaTaskEnvelope>(content, Settings, null, CancellationToken.None));
        }
        catch (JsonException exception)
        {
            actual = Describe(exception);
        }

        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Bodies))]
    public void Text_read_char_by_char_with_peeks_is_StreamReader_s_text(byte[] body)
    {
        using var expectedReader = new StreamReader(new MemoryStream(body));
        var expected = expectedReader.ReadToEnd();

        var buffer = new byte[GeneratedJson.FirstRead];
        var first = Math.Min(buffer.Length, body.Length);
        body.AsSpan(0, first).CopyTo(buffer);
        var rest = first < body.Length ? new TrickleStream(body[first..], 7) : null;
        using var reader = new GeneratedJson.BufferedTextReader(buffer, first, rest);
        var actual = new StringBuilder();
        while (true)
        {
            var peeked = reader.Peek();
            var read = reader.Read();
            Assert.That(read, Is.EqualTo(peeked));
            if (read < 0)
            {
                break;
            }

            actual.Append((char)read);
        }

        Assert.That(actual.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void Mixed_one_char_and_block_reads_give_the_whole_text()
    {
        var body = Encoding.UTF8.GetBytes("a😀b" + new string('c', 100) + "😀");
        var buffer = new byte[GeneratedJson.FirstRead];
        body.CopyTo(buffer, 0);
        using var reader = new GeneratedJson.BufferedTextReader(buffer, body.Length, null);
        var text = new StringBuilder();
        text.Append((char)reader.Read());
        text.Append((char)reader.Read()); // the high surrogate: its low half waits
        var block = new char[50];
        int n;
        while ((n = reader.Read(block, 0, block.Length)) > 0)
        {
            text.Append(block, 0, n);
        }

        Assert.That(text.ToString(), Is.EqualTo(Encoding.UTF8.GetString(body)));
    }

    /// <summary>A secret at the start, the end, twice in a row and across the first read, in bodies short and long.</summary>
    private static IEnumerable<TestCaseData> SecretBodies()
    {
        const string secret = "sk-SECRET-0123456789";
        var shortBody = $$"""{"code":200,"msg":"{{secret}} and {{secret}}{{secret}} end {{secret}}"}""";
        var straddling = """{"code":200,"msg":""" + "\"" + new string('a', GeneratedJson.FirstRead - 20) + secret + new string('b', 30) + "\"}";
        foreach (var (name, body) in new[] { ("short", shortBody), ("across the first read", straddling) })
        {
            foreach (var delivery in new[] { "with its length", "without a length", "longer than its length says" })
            {
                yield return new TestCaseData(body, secret, delivery).SetArgDisplayNames(name, delivery);
            }
        }
    }

    [TestCaseSource(nameof(SecretBodies))]
    public async Task A_pending_secret_is_overwritten_before_parsing_however_the_body_comes(string body, string secret, string delivery)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using HttpContent content = delivery switch
        {
            "with its length" => new ByteArrayContent(bytes),
            "without a length" => new StreamContent(new TrickleStream(bytes, 7)),
            _ => new LyingContent(bytes, declared: 10),
        };

        var read = await GeneratedJson.ReadAsync<NanoBananaTaskEnvelope>(content, Settings, Encoding.UTF8.GetBytes(secret), CancellationToken.None);

        Assert.That(
            Describe(read),
            Is.EqualTo(Reference(Encoding.UTF8.GetBytes(body.Replace(secret, new string('*', secret.Length), StringComparison.Ordinal)))));
        Assert.That(read!.Msg, Does.Not.Contain(secret));
    }

    [Test]
    public void Overwrite_replaces_every_occurrence_left_to_right()
    {
        var body = Encoding.UTF8.GetBytes("aaaa-aa-aaa");
        GeneratedJson.Overwrite(body, "aa"u8);
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("****-**-**a"));
    }

    [Test]
    public async Task A_body_the_generated_client_cannot_read_fails_as_it_would()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"code\":") };
        var headers = new Dictionary<string, IEnumerable<string>>();
        JsonException? failure = null;
        try
        {
            await GeneratedJson.ReadAsync<NanoBananaTaskEnvelope>(response.Content, Settings, null, CancellationToken.None);
        }
        catch (JsonException exception)
        {
            failure = exception;
        }

        Assert.That(failure, Is.Not.Null);
        var wrapped = GeneratedJson.Unreadable<NanoBananaTaskEnvelope>(response, headers, failure!);
        Assert.Multiple(() =>
        {
            Assert.That(wrapped, Is.TypeOf<ApiException>());
            Assert.That(wrapped.Message, Does.StartWith("Could not deserialize the response body stream as AsyncTasks.Generated.Duomi.NanoBananaTaskEnvelope."));
            Assert.That(wrapped.StatusCode, Is.EqualTo(200));
            Assert.That(wrapped.Response, Is.Empty);
            Assert.That(wrapped.InnerException, Is.SameAs(failure));
        });
    }

    [Test]
    public async Task Cancellation_before_the_body_arrives_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        using var content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(Envelope), 10));
        Assert.That(
            async () => await GeneratedJson.ReadAsync<NanoBananaTaskEnvelope>(content, Settings, null, cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    /// <summary>What the generated client's way gives: StreamReader, JsonTextReader, a new serializer.</summary>
    private static string Reference(byte[] body)
    {
        try
        {
            using var streamReader = new StreamReader(new MemoryStream(body));
            using var jsonTextReader = new JsonTextReader(streamReader);
            return Describe(JsonSerializer.Create(Settings).Deserialize<NanoBananaTaskEnvelope>(jsonTextReader));
        }
        catch (JsonException exception)
        {
            return Describe(exception);
        }
    }

    private static string Describe(NanoBananaTaskEnvelope? value) => value is null ? "null" : JsonConvert.SerializeObject(value);

    private static string Describe(JsonException exception) => $"{exception.GetType().FullName}: {exception.Message}";

    private static byte[] Replace(byte[] body, string what, byte[] with)
    {
        var at = body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(what));
        return [.. body[..at], .. with, .. body[(at + what.Length)..]];
    }

    /// <summary>A content whose Content-Length header says less than it holds.</summary>
    private sealed class LyingContent : HttpContent
    {
        private readonly byte[] _bytes;

        public LyingContent(byte[] bytes, long declared)
        {
            _bytes = bytes;
            Headers.ContentLength = declared;
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new TrickleStream(_bytes, 5));

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read, asynchronously or not.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int position;

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
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - position);
            data.AsSpan(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            return Read(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
