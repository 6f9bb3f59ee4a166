using System.Net;
using System.Text;
using AsyncTasks.Generated;
using AsyncTasks.Generated.Duomi;
using AsyncTasks.Providers;
using Newtonsoft.Json;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// <see cref="GeneratedJson.ReadAsync{T, TResult}"/>, the readers' entry point, reads a body that is already there
/// without an asynchronous method and awaits one that is not. Every way a body can come (stream opened at once or
/// later, reads completing at once or later, in one piece or in chunks, shorter or longer than the first read, with or
/// without a key to overwrite, a Content-Length that lies) must give the generated client's object or error, and leave
/// the stream disposed.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class GeneratedJsonResponsePathTests
{
    private const string Secret = "sk-PATH-SECRET-0123";

    private static readonly JsonSerializerSettings Settings = new();

    private static readonly string Unreadable = $"Could not deserialize the response body stream as {typeof(NanoBananaTaskEnvelope).FullName}.";

    private static readonly string[] Openings = ["opened at once", "opened later"];

    private static readonly string[] Reads = ["reads complete at once", "reads complete later"];

    private static readonly int[] Chunks = [1 << 20, 100, 1];

    private static readonly bool[] WithAndWithoutKey = [false, true];

    private static readonly string[] RequestId = ["r-9"];

    private static IEnumerable<(string Name, string Body)> Bodies()
    {
        yield return ("envelope", """{"code":200,"msg":"ok","data":{"task_id":"t-1","state":"succeeded","data":{"images":[{"url":"https://x.example/a.png"}]}}}""");
        yield return ("echoing the key", $$"""{"code":200,"msg":"{{Secret}} twice {{Secret}}"}""");
        yield return ("longer than the first read", """{"code":200,"msg":""" + "\"" + new string('a', GeneratedJson.FirstRead) + Secret + "\"}");
        yield return ("exactly the first read", """{"code":200,"msg":""" + "\"" + new string('b', GeneratedJson.FirstRead - 20) + "\"}");
        yield return ("malformed", """{"code":200,"data":{"state":""");
        yield return ("empty", string.Empty);
        yield return ("null", "null");
    }

    private static IEnumerable<TestCaseData> Cases() =>
        from body in Bodies()
        from opening in Openings
        from reads in Reads
        from chunk in Chunks
        from secret in WithAndWithoutKey
        select new TestCaseData(body.Body, opening, reads, chunk, secret)
            .SetArgDisplayNames(body.Name, opening, reads, $"{chunk} B per read", secret ? "key to overwrite" : "no key");

    [TestCaseSource(nameof(Cases))]
    public async Task Gives_the_generated_client_s_result_and_disposes_the_stream(string body, string opening, string reads, int chunk, bool secret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var stream = new ProbeStream(bytes, chunk, later: reads == Reads[1]);
        using var content = new ProbeContent(stream, bytes.Length, openLater: opening == Openings[1]);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };

        var actual = await Read(response, secret ? Encoding.UTF8.GetBytes(Secret) : null);

        var expected = Reference(secret ? body.Replace(Secret, new string('*', Secret.Length), StringComparison.Ordinal) : body);
        Assert.Multiple(() =>
        {
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(stream.Disposed, Is.True, "the body stream is disposed");
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_content_longer_than_its_length_says_is_read_whole_and_the_key_overwritten(bool later)
    {
        var body = $$"""{"code":200,"msg":"{{Secret}} {{new string('c', 40)}} {{Secret}}"}""";
        var bytes = Encoding.UTF8.GetBytes(body);
        var stream = new ProbeStream(bytes, 7, later);
        using var content = new ProbeContent(stream, declared: 10, openLater: later);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };

        var actual = await Read(response, Encoding.UTF8.GetBytes(Secret));

        Assert.Multiple(() =>
        {
            Assert.That(actual, Is.EqualTo(Reference(body.Replace(Secret, new string('*', Secret.Length), StringComparison.Ordinal))));
            Assert.That(actual, Does.Not.Contain(Secret));
            Assert.That(stream.Disposed, Is.True);
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_broken_body_fails_with_its_IOException_and_the_stream_is_disposed(bool later)
    {
        var stream = new ProbeStream(Encoding.UTF8.GetBytes("""{"code":200,"msg":"abc"}"""), 5, later) { FailAfter = 10 };
        using var content = new ProbeContent(stream, length: null, openLater: false);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };

        Assert.Multiple(() =>
        {
            Assert.That(async () => await Read(response, null), Throws.TypeOf<IOException>().With.Message.EqualTo("connection reset"));
            Assert.That(stream.Disposed, Is.True);
        });
    }

    [Test]
    public void A_read_cancelled_midway_ends_cancelled_and_the_stream_is_disposed()
    {
        using var cts = new CancellationTokenSource();
        var stream = new ProbeStream(Encoding.UTF8.GetBytes("""{"code":200,"msg":"abc"}"""), 5, later: true) { OnRead = cts.Cancel };
        using var content = new ProbeContent(stream, length: null, openLater: false);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };

        var reading = GeneratedJson.ReadAsync(
            response, new Dictionary<string, IEnumerable<string>>(), Settings, null, static (NanoBananaTaskEnvelope? value) => value, cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(async () => await reading, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(reading.IsCanceled, Is.True, "a cancellation, not a fault");
            Assert.That(stream.Disposed, Is.True);
        });
    }

    [Test]
    public async Task A_body_already_there_is_read_without_waiting()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"code":200,"msg":"ok"}""");
        var stream = new ProbeStream(bytes, 1 << 20, later: false);
        using var content = new ProbeContent(stream, bytes.Length, openLater: false);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };

        var reading = GeneratedJson.ReadAsync(
            response, new Dictionary<string, IEnumerable<string>>(), Settings, null, static (NanoBananaTaskEnvelope? value) => value, CancellationToken.None);

        Assert.That(reading.IsCompletedSuccessfully, Is.True);
        Assert.That((await reading)!.Msg, Is.EqualTo("ok"));
    }

    [Test]
    public async Task A_malformed_body_already_there_fails_as_the_generated_client_would()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"code":""") };
        var headers = new Dictionary<string, IEnumerable<string>> { ["X-Request-Id"] = RequestId };

        var reading = GeneratedJson.ReadAsync(response, headers, Settings, null, static (NanoBananaTaskEnvelope? value) => value, CancellationToken.None);

        Assert.That(reading.IsFaulted, Is.True, "a fault of the task, not an exception of the call");
        ApiException? failure = null;
        try
        {
            await reading;
        }
        catch (ApiException exception)
        {
            failure = exception;
        }

        Assert.That(failure, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.StartWith("Could not deserialize the response body stream as AsyncTasks.Generated.Duomi.NanoBananaTaskEnvelope."));
            Assert.That(failure.StatusCode, Is.EqualTo(200));
            Assert.That(failure.Headers["X-Request-Id"], Is.EqualTo(RequestId));
            Assert.That(failure.InnerException, Is.InstanceOf<JsonException>());
        });
    }

    private static async Task<string> Read(HttpResponseMessage response, byte[]? secret)
    {
        try
        {
            var value = await GeneratedJson.ReadAsync(
                response, new Dictionary<string, IEnumerable<string>>(), Settings, secret, static (NanoBananaTaskEnvelope? value) => value, CancellationToken.None);
            return value is null ? "null" : JsonConvert.SerializeObject(value);
        }
        catch (ApiException exception) when (exception.Message.StartsWith(Unreadable, StringComparison.Ordinal) && exception.StatusCode == 200)
        {
            return $"unreadable: {exception.InnerException?.GetType().FullName}: {exception.InnerException?.Message}";
        }
    }

    /// <summary>The generated client's way: StreamReader, JsonTextReader, a new serializer; its error wrapped as it wraps it.</summary>
    private static string Reference(string body)
    {
        try
        {
            using var streamReader = new StreamReader(new MemoryStream(Encoding.UTF8.GetBytes(body)));
            using var jsonTextReader = new JsonTextReader(streamReader);
            var value = JsonSerializer.Create(Settings).Deserialize<NanoBananaTaskEnvelope>(jsonTextReader);
            return value is null ? "null" : JsonConvert.SerializeObject(value);
        }
        catch (JsonException exception)
        {
            return $"unreadable: {exception.GetType().FullName}: {exception.Message}";
        }
    }

    /// <summary>A content over a <see cref="ProbeStream"/>, its stream handed out at once or after a yield.</summary>
    private sealed class ProbeContent : HttpContent
    {
        private readonly ProbeStream _stream;
        private readonly long? _length;
        private readonly bool _openLater;

        public ProbeContent(ProbeStream stream, long? length, bool openLater)
        {
            _stream = stream;
            _length = length;
            _openLater = openLater;
        }

        public ProbeContent(ProbeStream stream, long declared, bool openLater)
            : this(stream, length: null, openLater) => Headers.ContentLength = declared;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => throw new NotSupportedException();

        protected override Task<Stream> CreateContentReadStreamAsync() => _openLater ? OpenLaterAsync() : Task.FromResult<Stream>(_stream);

        protected override bool TryComputeLength(out long length)
        {
            length = _length ?? 0;
            return _length is not null;
        }

        private async Task<Stream> OpenLaterAsync()
        {
            await Task.Yield();
            return _stream;
        }
    }

    /// <summary>A body stream: at most <c>chunk</c> bytes per read, each read completing at once or after a yield; remembers its disposal.</summary>
    private sealed class ProbeStream(byte[] data, int chunk, bool later) : Stream
    {
        private int _position;

        public bool Disposed { get; private set; }

        /// <summary>Bytes after which a read fails as a reset connection; none when null.</summary>
        public int? FailAfter { get; init; }

        /// <summary>Called on each asynchronous read, before it completes.</summary>
        public Action? OnRead { get; init; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            if (_position >= FailAfter)
            {
                throw new IOException("connection reset");
            }

            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            OnRead?.Invoke();
            if (!later)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return ValueTask.FromResult(Read(buffer.Span));
            }

            return LaterAsync(buffer, cancellationToken);
        }

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

        private async ValueTask<int> LaterAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return Read(buffer.Span);
        }
    }
}
