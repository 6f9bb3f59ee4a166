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

    /// <summary>How the body arrives: with Content-Length in one piece, or without it in small reads (values across chunks).</summary>
    public enum Delivery
    {
        WithLength,
        Chunked,
    }

    public static IEnumerable<TestCaseData> Cases() =>
        from body in Bodies
        from delivery in Enum.GetValues<Delivery>()
        from shift in Enumerable.Range(0, 4)
        select new TestCaseData(body.Body, delivery, shift).SetName($"{{m}}({body.Name}, {delivery}, shift {shift})");

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [TestCaseSource(nameof(Cases))]
    public async Task ReadsWhatTheGeneratedClientReads(string body, Delivery delivery, int shift)
    {
        // Arrange: the shift moves every value against the chunk boundaries.
        var bytes = Encoding.UTF8.GetBytes(new string(' ', shift) + body);
        if (body.StartsWith('\uFEFF'))
        {
            bytes = Encoding.UTF8.GetBytes(body + new string(' ', shift));
        }

        // Act
        var expected = await OutcomeAsync(http => new SkyEngineClient(http), bytes, delivery);
        var actual = await OutcomeAsync(http => new SkyEngineOperationReader(http), bytes, delivery);

        // Assert
        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCase("videos", "bytesBase64Encoded")]
    [TestCase("generatedVideos", "videoBytes")]
    public async Task ALargeInlineVideoReadsWholeIntoTheOutputAndTheRawResponse(string list, string property)
    {
        // Arrange
        await AnswerAsync($$$$"""{"name":"{{{{OperationName}}}}","done":true,"response":{"{{{{list}}}}":[{"{{{{property}}}}":"{{{{LargeText}}}}","mimeType":"video/mp4"}]}}""");

        // Act
        var snapshot = await GetAsync(new SkyEngineAdapter(), OperationName);

        // Assert
        var operation = (GenerateVideosOperation)snapshot.RawResponse!;
        var raw = list == "videos"
            ? operation.Response!.Videos!.Single().BytesBase64Encoded
            : operation.Response!.GeneratedVideos!.Single().VideoBytes;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Outputs.Single().InlineData!.Value.ToArray(), Is.EqualTo(Large));
            Assert.That(snapshot.Outputs.Single().MimeType, Is.EqualTo("video/mp4"));
            Assert.That(raw, Is.EqualTo(Large));
        }
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

    [TestCase("vertex", 1)]
    [TestCase("flat and nested", 2)]
    [TestCase("gemini", 1)]
    [TestCase("names in another case", 1)]
    [TestCase("a name escaped", 1)]
    [TestCase("a duplicate, last small", 1)]
    [TestCase("duplicate arrays", 2)]
    [TestCase("shared by reference", 1)]
    [TestCase("comments", 1)]
    [TestCase("a byte order mark", 1)]
    [TestCase("elsewhere", 0)]
    [TestCase("escaped base64", 0)]
    [TestCase("single quotes", 0)]
    [TestCase("trailing content", 0)]
    [TestCase("truncated", 0)]
    [TestCase("an array of videos in an array", 0)]
    public void FindsTheStringsNewtonsoftWouldReadAsVideoBytes(string name, int expected)
    {
        // Arrange: in small segments, so that values and names cross them.
        var body = Encoding.UTF8.GetBytes(Bodies.Single(b => b.Name == name).Body);

        // Act
        var sequence = Segments(body, 7, 4096, 5);
        var found = SkyEngineOperationReader.FindInlineVideos(sequence, SkyEngineOperationReader.MinimumInlineLength);

        // Assert
        Assert.That(found, Has.Count.EqualTo(expected));
        foreach (var (start, length) in found)
        {
            Assert.That(sequence.Slice(start, 1).FirstSpan[0], Is.EqualTo((byte)'"'));
            Assert.That(SkyEngineOperationReader.DecodeBase64(sequence.Slice(start + 1, length)), Is.EqualTo(Large).Or.EqualTo(Other));
        }
    }

    [Test]
    public void DecodesAcrossSegmentsOnlyPlainPaddedBase64()
    {
        // Arrange
        var text = Encoding.ASCII.GetBytes(LargeText);
        var sequence = Segments(text, 1, 2, 3, 5, 4093);

        // Act
        var decoded = SkyEngineOperationReader.DecodeBase64(sequence);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.EqualTo(Large));
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(Encoding.ASCII.GetBytes("QUJD"), 1)), Is.EqualTo("ABC"u8.ToArray()));
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(Encoding.ASCII.GetBytes("QUI="), 3)), Is.EqualTo("AB"u8.ToArray()));
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(Encoding.ASCII.GetBytes("QUI"), 2)), Is.Null);
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(Encoding.ASCII.GetBytes("QU=I"), 2)), Is.Null);
            Assert.That(SkyEngineOperationReader.DecodeBase64(Segments(Encoding.ASCII.GetBytes("QU I"), 2)), Is.Null);
        }
    }

    private static byte[] Pattern(int length, int step) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * step))];

    /// <summary>The bytes in segments of the given sizes (the last one repeated).</summary>
    private static System.Buffers.ReadOnlySequence<byte> Segments(byte[] bytes, params int[] sizes)
    {
        var pieces = new List<byte[]>();
        for (int at = 0, i = 0; at < bytes.Length; i++)
        {
            var size = Math.Min(sizes[Math.Min(i, sizes.Length - 1)], bytes.Length - at);
            pieces.Add(bytes[at..(at + size)]);
            at += size;
        }

        var first = new Segment(pieces[0], 0, null);
        var last = first;
        foreach (var piece in pieces.Skip(1))
        {
            last = new Segment(piece, last.RunningIndex + last.Memory.Length, last);
        }

        return new System.Buffers.ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The result (serialized) or the exception (type, message, status, inner type) of one read.</summary>
    private static async Task<string> OutcomeAsync(Func<HttpClient, SkyEngineClient> create, byte[] body, Delivery delivery)
    {
        using var handler = new FixedHandler(body, delivery);
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

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
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
