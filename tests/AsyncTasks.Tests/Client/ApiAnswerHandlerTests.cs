using System.Net;
using System.Text;
using AsyncTasks.Http;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// The one place answers pass through (<see cref="ApiAnswerHandler"/>) and its masking function (<see cref="KeyMask"/>):
/// a key comes out in none of the forms a gateway may echo it in, whatever the status; the limits of one answer.
/// </summary>
[TestFixture]
internal sealed class ApiAnswerHandlerTests
{
    /// <summary>Keys with '/', '+', '=', non-ASCII letters and a character outside the BMP.</summary>
    private static readonly string[] Keys = ["sk/live+Ab==9xYz", "clé-ünïcødé-Schlüssel", "key with space+=", "emoji-🔑-key/+="];

    /// <summary>Every encoding a gateway may echo <paramref name="key"/> in.</summary>
    private static IEnumerable<(string Form, string Text)> Forms(string key)
    {
        yield return ("raw", key);
        yield return ("JSON, '/' escaped", key.Replace("/", "\\/", StringComparison.Ordinal));
        yield return ("JSON, all but letters and digits as \\u, lower hex", EscapeJson(key, upper: false, onlyNonAscii: false));
        yield return ("JSON, non-ASCII as \\u, upper hex", EscapeJson(key, upper: true, onlyNonAscii: true));
        yield return ("percent, upper hex", Uri.EscapeDataString(key));
        yield return ("percent, lower hex", LowerHex(Uri.EscapeDataString(key)));
        yield return ("form, '+' for space", System.Web.HttpUtility.UrlEncode(key));
    }

    [Test]
    public void TheMaskRemovesEveryKeyInEveryFormAndLeavesOtherTextAsItIs()
    {
        var mask = new KeyMask(Keys);
        foreach (var key in Keys)
        {
            foreach (var (form, text) in Forms(key))
            {
                var masked = mask.Apply($"before {text} after");
                Assert.That(masked, Is.EqualTo($"before {KeyMask.Mask} after"), $"{key} as {form}: {text}");
            }
        }

        const string plain = "no key here: sk/live+Ab== is only a prefix, %41 and \\u0041 stay";
        Assert.That(mask.Apply(plain), Is.SameAs(plain));
    }

    [Test]
    public void KeysShorterThanTheMinimumAreNotMasked()
    {
        var mask = new KeyMask(["1234567", "12345678"]);
        Assert.That(mask.Apply("a 1234567 b 12345678"), Is.EqualTo("a 1234567 b ***"));
    }

    [Test]
    public void AKeyHoldingAnotherIsMaskedWholeAndAdjacentKeysEachInTextOrder()
    {
        // The longer key holds the shorter one; the third is only adjacent to them.
        var mask = new KeyMask(["abcdefgh", "abcdefgh-ijkl", "zyxwvuts"]);
        foreach (var (text, expected) in new[]
        {
            ("x abcdefgh-ijkl y", "x *** y"),
            ("zyxwvutsabcdefgh-ijkl", "******"),
            ("abcdefghabcdefgh", "******"),
            ("abcdefgh-ijkl zyxwvuts abcdefgh", "*** *** ***"),
        })
        {
            Assert.That(mask.Apply(text), Is.EqualTo(expected), text);
        }
    }

    [Test]
    public void KeysWrittenEntirelyEscapedOrAtTheEdgesOfTheTextAreMasked()
    {
        var mask = new KeyMask([.. Keys, "key-ending-\U0001F511", " leading-space-key"]);
        foreach (var (text, expected) in new[]
        {
            // No two characters of the key as written: only its escapes give it away.
            (EscapeJson("sk/live+Ab==9xYz", upper: false, onlyNonAscii: false).Replace("sk", "\\u0073\\u006b", StringComparison.Ordinal), KeyMask.Mask),
            (string.Concat("sk/live+Ab==9xYz".Select(c => $"%{(int)c:X2}")), KeyMask.Mask),
            ("id=key-ending-\\uD83D\\uDD11", "id=***"),
            ("q=+leading-space-key&r=1", "q=***&r=1"),
            ("q=%20leading-space-key", "q=***"),
        })
        {
            Assert.That(mask.Apply(text), Is.EqualTo(expected), text);
        }

        Assert.That(mask.Apply((string?)null), Is.Null);
        Assert.That(mask.Apply(string.Empty), Is.Empty);
    }

    [Test]
    public void TextThatOnlyResemblesAKeyOrBreaksOffInsideAnEscapeIsLeftAsItIs()
    {
        var mask = new KeyMask(Keys);

        // Each starts like a key at the first byte and then fails in one way: truncated, a character off, an escape of
        // another character, an escape cut short by the end of the text, a broken surrogate pair.
        string[] texts =
        [
            "sk/live+Ab==9xY",
            "sk/liveXAb==9xYz",
            "skX/live+Ab==9xYz",
            "sk\\",
            "sk\\\\live+Ab==9xYz",
            "sk\\x2Flive+Ab==9xYz",
            "sk\\u0058live+Ab==9xYz",
            "sk\\u002",
            "sk%2",
            "sk/live+%4zb==9xYz",
            "key_with_space+=",
            "key with space%2",
            "emoji-\\uD83D",
            "emoji-\\uD83D\\xDD11-key/+=",
            "emoji-\\uD83DxuDD11-key/+=",
            "emoji-\\uD83D\\u0041-key/+=",
            "emoji-\\uDD11-key/+=",
        ];
        foreach (var text in texts)
        {
            Assert.That(mask.Apply(text), Is.EqualTo(text), text);
        }
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.Unauthorized)]
    [TestCase(HttpStatusCode.InternalServerError)]
    public async Task BodyAndHeadersOfEveryAnswerHoldNoKeyInAnyForm(HttpStatusCode status)
    {
        foreach (var key in Keys)
        {
            foreach (var (form, text) in Forms(key))
            {
                // Arrange: the body echoes the key in a message and in an output URL, a header as a request id.
                var body = $$"""{"msg":"bad key {{text}}","url":"https://cdn.example.test/v.mp4?token={{text}}"}""";
                using var invoker = Invoker(key, status, body, ("X-Request-Id", "req-" + text));

                // Act
                using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None);
                var read = await response.Content.ReadAsStringAsync();

                // Assert
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(read, Is.EqualTo("""{"msg":"bad key ***","url":"https://cdn.example.test/v.mp4?token=***"}"""), $"{form}: {text}");
                    Assert.That(response.Headers.GetValues("X-Request-Id"), Is.EqualTo((string[])["req-***"]), $"{form}: {text}");
                    Assert.That(response.StatusCode, Is.EqualTo(status));
                }
            }
        }
    }

    [Test]
    public async Task AnAnswerLargerThanTheLimitFailsWithAProtocolErrorNamingIt()
    {
        // Arrange
        using var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, new string('x', 101), limits: new AnswerLimits { MaxBytes = 100 });

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(
            () => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Provider, Is.EqualTo(Provider.Duomi));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.Message, Does.Contain("larger than the limit of 100 bytes (Answers:MaxBytes)"));
        }
    }

    [Test]
    public async Task ABodyOfExactlyMaxBytesIsAcceptedAndOneByteMoreRefusedWhetherItsLengthIsDeclaredOrNot()
    {
        var limits = new AnswerLimits { MaxBytes = 100 };
        foreach (var declared in new[] { true, false })
        {
            foreach (var readSize in declared ? [int.MaxValue] : new[] { int.MaxValue, 7 })
            {
                var what = $"declared: {declared}, reads of {readSize}";

                // Exactly at the limit: accepted, every byte kept, the transport's content released once copied.
                var exact = new Body(Encoding.ASCII.GetBytes(new string('x', 100)), declared, readSize);
                using (var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, () => exact, [], limits))
                using (var response = await SendAsync(invoker))
                {
                    Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(new string('x', 100)), what);
                    Assert.That(exact.Disposed, Is.True, "the transport's content, once read, is released: " + what);
                }

                // One byte more: refused, and the transport's answer is released.
                var over = new Body(Encoding.ASCII.GetBytes(new string('x', 101)), declared, readSize);
                using (var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, () => over, [], limits))
                {
                    var exception = Assert.ThrowsAsync<TaskClientException>(() => SendAsync(invoker), what);
                    Assert.That(exception.Message, Does.Contain("larger than the limit of 100 bytes (Answers:MaxBytes)"), what);
                    Assert.That(over.Disposed, Is.True, what);
                }
            }
        }
    }

    [Test]
    public async Task ContentHeadersAreKeptMaskedAndTheLengthIsTheMaskedBodys()
    {
        // Arrange: the body and a content header echo the key, two response headers echo it too.
        const string key = "sk-live-0123456789";
        var original = new StringContent($$"""{"msg":"bad key {{key}}"}""", Encoding.UTF8, "application/json");
        original.Headers.TryAddWithoutValidation("Content-Location", $"/v1/tasks?key={key}");
        using var invoker = Invoker(key, HttpStatusCode.OK, () => original, [("X-Request-Id", $"req-{key}"), ("X-Echo", $"k={key}")]);

        // Act
        using var response = await SendAsync(invoker);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body, Is.EqualTo("""{"msg":"bad key ***"}"""));
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("application/json; charset=utf-8"));
            Assert.That(response.Content.Headers.GetValues("Content-Location"), Is.EqualTo((string[])["/v1/tasks?key=***"]));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(Encoding.UTF8.GetByteCount(body)));
            Assert.That(response.Headers.GetValues("X-Request-Id"), Is.EqualTo((string[])["req-***"]));
            Assert.That(response.Headers.GetValues("X-Echo"), Is.EqualTo((string[])["k=***"]));
            Assert.That(response.Content, Is.Not.SameAs(original));
        }
    }

    [Test]
    public async Task TheDepthLimitCountsOnlyObjectsAndArraysAndAppliesAboveTheReadersDefaultAndAroundComments()
    {
        foreach (var (body, maxDepth, refused) in new[]
        {
            // Scalars at the deepest allowed level are fine; only a further object or array goes too deep.
            ("[[[[[1,\"a\",true,null]]]]]", 5, false),
            ("""{"a":{"a":{"a":{"a":{"a":1}}}}}""", 5, false),
            ("""{"a":{"a":{"a":{"a":{"a":{}}}}}}""", 5, true),

            // Comments are skipped, not a way around the limit.
            ("/* note */ [[[[[[]]]]]]", 5, true),

            // A limit above System.Text.Json's default of 64 is the limit.
            (string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100)), 100, false),
            (string.Concat(Enumerable.Repeat("[", 101)) + string.Concat(Enumerable.Repeat("]", 101)), 100, true),
        })
        {
            using var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, body, limits: new AnswerLimits { MaxDepth = maxDepth });
            if (refused)
            {
                var exception = Assert.ThrowsAsync<TaskClientException>(() => SendAsync(invoker), body);
                Assert.That(exception.Message, Does.Contain($"deeper than the limit of {maxDepth} levels (Answers:MaxDepth)"), body);
            }
            else
            {
                using var response = await SendAsync(invoker);
                Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(body));
            }
        }
    }

    [TestCase(5, false)]
    [TestCase(6, true)]
    public async Task JsonNestedDeeperThanTheLimitFailsWithAProtocolErrorNamingIt(int depth, bool refused)
    {
        // Arrange
        var body = string.Concat(Enumerable.Repeat("[", depth)) + string.Concat(Enumerable.Repeat("]", depth));
        using var invoker = Invoker("sk-live-0123456789", HttpStatusCode.OK, body, limits: new AnswerLimits { MaxDepth = 5 });

        // Act
        Task Send() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None);

        // Assert
        if (refused)
        {
            var exception = Assert.ThrowsAsync<TaskClientException>(Send);
            Assert.That(exception.Message, Does.Contain("deeper than the limit of 5 levels (Answers:MaxDepth)"));
        }
        else
        {
            Assert.DoesNotThrowAsync(Send);
        }
    }

    private static HttpMessageInvoker Invoker(
        string key, HttpStatusCode status, string body, (string Name, string Value)? header = null, AnswerLimits? limits = null) =>
        Invoker(key, status, () => new StringContent(body, Encoding.UTF8, "application/json"), header is { } h ? [h] : [], limits);

    private static HttpMessageInvoker Invoker(
        string key, HttpStatusCode status, Func<HttpContent> content, (string Name, string Value)[] headers, AnswerLimits? limits = null)
    {
        limits ??= new AnswerLimits();
        return new(new ApiAnswerHandler(Provider.Duomi, new KeyMask([key]), limits.MaxBytes, limits.MaxDepth)
        {
            InnerHandler = new Answer(status, content, headers),
        });
    }

    private static Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker) =>
        invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/task/1"), CancellationToken.None);

    private static string EscapeJson(string text, bool upper, bool onlyNonAscii)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            var escape = onlyNonAscii ? c > 0x7F : !char.IsAsciiLetterOrDigit(c);
            builder.Append(escape ? "\\u" + ((int)c).ToString(upper ? "X4" : "x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString());
        }

        return builder.ToString();
    }

    private static string LowerHex(string percentEncoded) =>
        System.Text.RegularExpressions.Regex.Replace(percentEncoded, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());

    /// <summary>A transport answering with one status, content and response headers.</summary>
    private sealed class Answer(HttpStatusCode status, Func<HttpContent> content, (string Name, string Value)[] headers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = content(), RequestMessage = request };
            foreach (var (name, value) in headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return Task.FromResult(response);
        }
    }

    /// <summary>
    /// A body sent without a declared length (as with chunked transfer encoding), in reads of at most
    /// <paramref name="readSize"/> bytes; records whether it was released.
    /// </summary>
    private sealed class Body(byte[] bytes, bool declareLength, int readSize = int.MaxValue) : HttpContent
    {
        public bool Disposed { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(bytes).AsTask();

        protected override Task<Stream> CreateContentReadStreamAsync() =>
            Task.FromResult<Stream>(new SmallReads(new MemoryStream(bytes, writable: false), readSize));

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return declareLength;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A stream handing out at most <paramref name="readSize"/> bytes per read, as a network stream may.</summary>
    private sealed class SmallReads(Stream inner, int readSize) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, readSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
