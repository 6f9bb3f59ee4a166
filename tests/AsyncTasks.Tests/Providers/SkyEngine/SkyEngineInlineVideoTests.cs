using System.Net;
using System.Text;
using AsyncTasks.Generated;
using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Providers;
using AsyncTasks.Tests.Infrastructure;
using Newtonsoft.Json;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// Large inline videos: the SkyEngine adapter decodes long base64 strings itself instead of through Newtonsoft's
/// token buffer. Whatever the body, the operation it reads must be exactly the one the generated client reads, and
/// so must its errors.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class SkyEngineInlineVideoTests
{
    private const string OperationName = "projects/p/locations/l/publishers/google/models/veo/operations/op-1";

    private static readonly byte[] Large = Pattern(60_000, 7);
    private static readonly byte[] Other = Pattern(50_001, 13);
    private static readonly string LargeText = Convert.ToBase64String(Large);
    private static readonly string OtherText = Convert.ToBase64String(Other);

    /// <summary>Bodies that take every branch: the four shapes, Newtonsoft's matching rules, and what is left to it.</summary>
    private static readonly (string Name, string Body)[] Bodies =
    [
        ("vertex", $$$$"""{"name":"n","done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}","mimeType":"video/mp4"}]}}"""),
        ("flat and nested", $$$$"""{"done":true,"response":{"generatedVideos":[{"videoBytes":"{{{{LargeText}}}}"},{"video":{"videoBytes":"{{{{OtherText}}}}","mimeType":"video/mp4"}}]}}"""),
        ("gemini", $$$$"""{"done":true,"response":{"generateVideoResponse":{"generatedSamples":[{"video":{"videoBytes":"{{{{LargeText}}}}"}},{"video":{"uri":"https://x/y.mp4"}}]}}}"""),
        ("names in another case", $$$$"""{"DONE":true,"Response":{"VIDEOS":[{"BytesBase64Encoded":"{{{{LargeText}}}}"}]}}"""),
        ("a name escaped", $$$$"""{"done":true,"response":{"videos":[{"bytes\u0042ase64Encoded":"{{{{LargeText}}}}"}]}}"""),
        ("a non-ASCII name", $$$$"""{"done":true,"response":{"generatedVideos":[{"vıdeoBytes":"{{{{LargeText}}}}"}]}}"""),
        ("a duplicate, last small", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}","bytesBase64Encoded":"AAAA"}]}}"""),
        ("a duplicate, last large", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"AAAA","bytesBase64Encoded":"{{{{OtherText}}}}"}]}}"""),
        ("duplicate arrays", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"}],"videos":[{"bytesBase64Encoded":"{{{{OtherText}}}}"}]}}"""),
        ("duplicate responses", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"}]},"response":{"raiMediaFilteredCount":1}}"""),
        ("shared by reference", $$$$"""{"done":true,"response":{"generatedVideos":[{"video":{"$id":"1","videoBytes":"{{{{LargeText}}}}"}},{"video":{"$ref":"1"}}]}}"""),
        ("elsewhere", $$$$"""{"done":true,"metadata":{"videoBytes":"{{{{LargeText}}}}"},"response":{"videos":[{"gcsUri":"gs://b/v.mp4","extra":{"bytesBase64Encoded":"{{{{OtherText}}}}"}}]}}"""),
        ("escaped base64", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText.Replace("/", "\\/", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal)}}}}"}]}}"""),
        ("a type error after the video", $$$$"""{"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"}]},"done":"perhaps"}"""),
        ("bad base64 elsewhere after the video", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"},{"bytesBase64Encoded":"A!A="}]}}"""),
        ("base64 with spaces", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText[..400]}}}} {{{{LargeText[400..]}}}}"}]}}"""),
        ("unpadded base64", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText.TrimEnd('=')}}}}A"}]}}"""),
        ("not base64", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText[..1000]}}}}!!!!{{{{LargeText[1004..]}}}}"}]}}"""),
        ("comments", $$$$"""/* c */{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}" /* d */}]}}"""),
        ("single quotes", $$$$"""{'done':true,'response':{'videos':[{'bytesBase64Encoded':'{{{{LargeText}}}}'}]}}"""),
        ("trailing content", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"}]}} x"""),
        ("a byte order mark", $$$$"""{{{{"\uFEFF"}}}}{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"}]}}"""),
        ("truncated", $$$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{{LargeText}}}}"}"""),
        ("an array of videos in an array", $$$$"""{"done":true,"response":{"videos":[[{"bytesBase64Encoded":"{{{{LargeText}}}}"}]]}}"""),
        ("null", "null"),
        ("small", """{"done":true,"response":{"videos":[{"bytesBase64Encoded":"AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t"}]}}"""),
    ];

    /// <summary>How the body arrives: with Content-Length in one piece, or without it in small reads.</summary>
    public enum Delivery
    {
        WithLength,
        Chunked,
    }

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public async Task ReadsWhatTheGeneratedClientReads()
    {
        foreach (var (name, body) in Bodies)
        {
            foreach (var delivery in Enum.GetValues<Delivery>())
            {
                // Arrange
                var bytes = Encoding.UTF8.GetBytes(body);

                // Act: the generated client as generated, and the reader behind the answer handler, as in the client.
                var expected = await OutcomeAsync(http => new SkyEngineClient(http), bytes, delivery, throughAnswerHandler: false);
                var actual = await OutcomeAsync(http => new SkyEngineOperationReader(http), bytes, delivery, throughAnswerHandler: true);

                // Assert
                Assert.That(actual, Is.EqualTo(expected), $"{name}, {delivery}");
            }
        }
    }

    [TestCase("videos", "bytesBase64Encoded")]
    [TestCase("generatedVideos", "videoBytes")]
    public async Task ALargeInlineVideoReadsWholeIntoTheOutputAndTheRawResponseKeepsTheBody(string list, string property)
    {
        // Arrange
        var body = $$$$"""{"name":"{{{{OperationName}}}}","done":true,"response":{"{{{{list}}}}":[{"{{{{property}}}}":"{{{{LargeText}}}}","mimeType":"video/mp4"}]}}""";
        await AnswerAsync(body);

        // Act
        var snapshot = await GetAsync(new SkyEngineAdapter(), OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Outputs.Single().InlineData!.Value.ToArray(), Is.EqualTo(Large));
            Assert.That(snapshot.Outputs.Single().MimeType, Is.EqualTo("video/mp4"));
            Assert.That(snapshot.RawResponse!.ToString(), Is.EqualTo(body));
        }
    }

    [Test]
    public async Task ALargeInlineVideoCostsTheBodyAndTheVideoInMemoryAndLittleMore()
    {
        // Arrange: 3 MiB of video, 4.2 MB of base64; read once before measuring (JIT, Newtonsoft's contract cache).
        var video = new byte[3 << 20];
        new Random(7).NextBytes(video);
        var body = Encoding.UTF8.GetBytes(
            $$$"""{"name":"n","done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{Convert.ToBase64String(video)}}}","mimeType":"video/mp4"}]}}""");
        await ReadThroughAnswerHandlerAsync(body);

        // Act
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var operation = await ReadThroughAnswerHandlerAsync(body);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Assert: the answer handler's copy of the body and the decoded video; Newtonsoft holding the base64 text
        // (as UTF-16, in a buffer it doubles as it grows) would add several times the body.
        Assert.That(operation.Response!.Videos!.Single().BytesBase64Encoded.AsSpan().SequenceEqual(video), Is.True, "the video, byte for byte");
        TestContext.Out.WriteLine($"allocated {allocated:N0} bytes for a body of {body.Length:N0} and a video of {video.Length:N0}");
        Assert.That(allocated, Is.LessThan(body.Length + video.Length + (body.Length / 4)));
    }

    [Test]
    public async Task AnHttpErrorWithALargeBodyIsTheGeneratedClientsError()
    {
        // Arrange
        await AnswerAsync($$$$"""{"error":{"code":2002,"message":"upstream down","details":["{{{{LargeText}}}}"]}}""", 424);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(new SkyEngineAdapter(), OperationName));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Server));
            Assert.That(exception.HttpStatus, Is.EqualTo(424));
            Assert.That(exception.ProviderCode, Is.EqualTo("2002"));
        }
    }

    [Test]
    public void FindsTheLongPlainBase64StringsAtTheVideoPlacesOnly()
    {
        var expected = new Dictionary<string, int>
        {
            ["vertex"] = 1, ["flat and nested"] = 2, ["gemini"] = 1, ["names in another case"] = 1, ["a name escaped"] = 1,
            ["a duplicate, last small"] = 1, ["duplicate arrays"] = 2, ["shared by reference"] = 1, ["comments"] = 1,
            ["elsewhere"] = 0, ["escaped base64"] = 0, ["single quotes"] = 0, ["trailing content"] = 0, ["truncated"] = 0,
            ["an array of videos in an array"] = 0, ["base64 with spaces"] = 0, ["unpadded base64"] = 0, ["not base64"] = 0,
        };
        foreach (var (name, count) in expected)
        {
            var found = SkyEngineOperationReader.FindVideos(Encoding.UTF8.GetBytes(Bodies.Single(b => b.Name == name).Body));
            Assert.That(found, Has.Count.EqualTo(count), name);
            Assert.That(found.Select(f => f.Bytes), Is.All.EqualTo(Large).Or.EqualTo(Other), name);
        }
    }

    [Test]
    public void AStringIsTakenFromExactlyTheMinimumLength()
    {
        const int minimum = SkyEngineOperationReader.MinimumInlineLength;
        foreach (var (length, count) in new[] { (minimum - 4, 0), (minimum, 1), (minimum + 4, 1) })
        {
            var body = $$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{new string('A', length)}}}"}]}}""";
            Assert.That(SkyEngineOperationReader.FindVideos(Encoding.UTF8.GetBytes(body)), Has.Count.EqualTo(count), $"{length}");
        }
    }

    [Test]
    public void DecodesOnlyPlainPaddedBase64IntoItsExactBytes()
    {
        foreach (var (text, expected) in new (string, byte[]?)[]
        {
            ("QQ==", [0x41]), ("QUI=", [0x41, 0x42]), ("QUJD", [0x41, 0x42, 0x43]), ("QUJDQQ==", [0x41, 0x42, 0x43, 0x41]),
            ("Q", null), ("QUJDR", null), ("QQ==QUJD", null), ("QUJD====", null), ("QUJD!UJD", null), ("QU I", null),
        })
        {
            Assert.That(SkyEngineOperationReader.Decode(Encoding.ASCII.GetBytes(text)), Is.EqualTo(expected), text);
        }
    }

    private static byte[] Pattern(int length, int step) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * step))];

    /// <summary>The result (serialized) or the exception (type, message, status, inner type) of one read.</summary>
    private static async Task<string> OutcomeAsync(Func<HttpClient, SkyEngineClient> create, byte[] body, Delivery delivery, bool throughAnswerHandler)
    {
        HttpMessageHandler handler = new FixedHandler(body, delivery);
        if (throughAnswerHandler)
        {
            var limits = new AnswerLimits();
            handler = new AsyncTasks.Http.ApiAnswerHandler(Provider.SkyEngine, AsyncTasks.Http.KeyMask.None, limits.MaxBytes, limits.MaxDepth) { InnerHandler = handler };
        }

        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
        try
        {
            var operation = await create(http).GetGenerateVideosOperationAsync("p", "l", "google", "veo", "op-1", CancellationToken.None);
            return JsonConvert.SerializeObject(operation);
        }
        catch (Exception exception)
        {
            return $"{exception.GetType().Name}: {exception.Message} ({(exception as ApiException)?.StatusCode}, {exception.InnerException?.GetType().Name}: {exception.InnerException?.Message})";
        }
    }

    private static async Task<GenerateVideosOperation> ReadThroughAnswerHandlerAsync(byte[] body)
    {
        var limits = new AnswerLimits();
        using var http = new HttpClient(
            new AsyncTasks.Http.ApiAnswerHandler(Provider.SkyEngine, AsyncTasks.Http.KeyMask.None, limits.MaxBytes, limits.MaxDepth)
            {
                InnerHandler = new FixedHandler(body, Delivery.WithLength),
            })
        {
            BaseAddress = new Uri("http://localhost/"),
        };
        return await new SkyEngineOperationReader(http).GetGenerateVideosOperationAsync("p", "l", "google", "veo", "op-1", CancellationToken.None);
    }

    private sealed class FixedHandler(byte[] body, Delivery delivery) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpContent content = delivery == Delivery.WithLength
                ? new ByteArrayContent(body)
                : new StreamContent(new ChunkedReadStream(body, 1000));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
