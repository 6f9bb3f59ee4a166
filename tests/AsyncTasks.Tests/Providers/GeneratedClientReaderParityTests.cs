using System.Net;
using System.Text;
using AsyncTasks.Generated;
using AsyncTasks.Generated.Duomi;
using AsyncTasks.Generated.Kexiang;
using AsyncTasks.Generated.Mountsea;
using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Generated.TencentVod;
using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using AsyncTasks.Tests.Infrastructure;
using Newtonsoft.Json;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// The facade's subclasses of the generated clients (<see cref="MountseaReader"/> and its siblings,
/// <see cref="SkyEngineOperationReader"/>) change how a 200 body is read, never what comes out: for every body, with
/// or without a Content-Length, and with the generated <c>ReadResponseAsString</c> switch off or on, the object or the
/// <see cref="ApiException"/> (message, status, response text, inner error) is the generated client's own.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class GeneratedClientReaderParityTests
{
    private const string OutputUrl = "https://cdn.example.com/out.png";

    private static readonly bool[] ReadModes = [false, true];

    private static readonly string LargeVideo = Convert.ToBase64String([.. Enumerable.Range(0, 40_000).Select(i => (byte)(i * 11))]);

    /// <summary>How the body arrives: in one piece with a Content-Length, or without one in small reads.</summary>
    public enum Delivery
    {
        WithLength,
        Chunked,
    }

    public static IEnumerable<TestCaseData> Cases() =>
        from reader in Readers()
        from body in Bodies(reader.Provider)
        from delivery in Enum.GetValues<Delivery>()
        from asString in ReadModes
        select new TestCaseData(reader, body.Body, delivery, asString)
            .SetArgDisplayNames(reader.Provider.Name, body.Name, delivery.ToString(), asString ? "as string" : "as stream");

    [TestCaseSource(nameof(Cases))]
    public async Task EachReaderGivesTheGeneratedClientsObjectOrError(ReaderCase reader, string body, Delivery delivery, bool readResponseAsString)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(body);

        // Act
        var expected = await OutcomeAsync(reader.Generated, bytes, delivery, readResponseAsString);
        var actual = await OutcomeAsync(reader.Facade, bytes, delivery, readResponseAsString);

        // Assert
        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCase(Delivery.WithLength)]
    [TestCase(Delivery.Chunked)]
    public async Task AJsonNullLongerThanAnInlineVideoFailsWithAnEmptyResponseText(Delivery delivery)
    {
        // Arrange: long enough (or without a length) to be read as a possible inline video.
        var bytes = Encoding.UTF8.GetBytes(new string(' ', SkyEngineOperationReader.MinimumInlineLength) + "null");

        // Act
        var outcome = await OutcomeAsync(SkyEngineReaders.Facade, bytes, delivery, readResponseAsString: false);

        // Assert
        Assert.That(outcome, Is.EqualTo("ApiException: Response was null which was not expected. (HTTP 200) | 200 | response <> | inner none"));
    }

    [TestCase(Delivery.WithLength)]
    [TestCase(Delivery.Chunked)]
    public async Task ALongUnreadableOperationNamesItsTypeAndKeepsNoResponseText(Delivery delivery)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes($$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{LargeVideo}}"}]},"done":"perhaps"}""");

        // Act
        var outcome = await OutcomeAsync(SkyEngineReaders.Facade, bytes, delivery, readResponseAsString: false);

        // Assert
        Assert.That(
            outcome,
            Is.EqualTo(
                "ApiException: Could not deserialize the response body stream as AsyncTasks.Generated.SkyEngine.GenerateVideosOperation. (HTTP 200) | 200 | response <> | "
                + "inner JsonReaderException: Could not convert string to boolean: perhaps. Path 'done', line 1, position 53415."));
    }

    [Test]
    public async Task AShortStringShapedLikeAVideoMarkerIsNotSwappedForTheInlineVideo()
    {
        // Arrange: the second string decodes to 20 zero bytes, the shape of the marker of video 0 with an all-zero nonce.
        var marker = new byte[20];
        var body = $$$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{LargeVideo}}}"},{"bytesBase64Encoded":"{{{Convert.ToBase64String(marker)}}}"}]}}""";
        using var handler = new FixedHandler(Encoding.UTF8.GetBytes(body), Delivery.WithLength);
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };

        // Act
        var operation = await new SkyEngineOperationReader(http).GetGenerateVideosOperationAsync("p", "l", "google", "veo", "op-1", CancellationToken.None);

        // Assert
        var videos = operation.Response!.Videos!.ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(videos[0].BytesBase64Encoded, Is.EqualTo(Convert.FromBase64String(LargeVideo)));
            Assert.That(videos[1].BytesBase64Encoded, Is.EqualTo(marker));
        }
    }

    public sealed record ReaderCase(
        ProviderCase Provider,
        Func<HttpClient, bool, Task<object>> Generated,
        Func<HttpClient, bool, Task<object>> Facade)
    {
        public override string ToString() => Provider.Name;
    }

    private static ReaderCase SkyEngineReaders { get; } = new(
        ProviderCase.SkyEngine,
        async (http, asString) => await new SkyEngineClient(http) { ReadResponseAsString = asString }.GetGenerateVideosOperationAsync("p", "l", "google", "veo", "op-1", CancellationToken.None),
        async (http, asString) => await new SkyEngineOperationReader(http) { ReadResponseAsString = asString }.GetGenerateVideosOperationAsync("p", "l", "google", "veo", "op-1", CancellationToken.None));

    private static IEnumerable<ReaderCase> Readers()
    {
        yield return new(
            ProviderCase.Mountsea,
            async (http, asString) => await new MountseaClient(http) { ReadResponseAsString = asString }.GetTaskResultAsync("t-1", CancellationToken.None),
            async (http, asString) => await new MountseaReader(http) { ReadResponseAsString = asString }.GetTaskResultAsync("t-1", CancellationToken.None));
        yield return new(
            ProviderCase.Duomi,
            async (http, asString) => await new DuomiClient(http) { ReadResponseAsString = asString }.GetNanoBananaTaskAsync("t-1", CancellationToken.None),
            async (http, asString) => await new DuomiReader(http) { ReadResponseAsString = asString }.GetNanoBananaTaskAsync("t-1", CancellationToken.None));
        yield return new(
            ProviderCase.Kexiang,
            async (http, asString) => await new KexiangClient(http) { ReadResponseAsString = asString }.GetUserTaskAsync("1", CancellationToken.None),
            async (http, asString) => await new KexiangReader(http) { ReadResponseAsString = asString }.GetUserTaskAsync("1", CancellationToken.None));
        yield return new(
            ProviderCase.TencentVod,
            async (http, asString) => await new TencentVodClient(http) { ReadResponseAsString = asString }.GetTaskDetailAsync("t-1", CancellationToken.None),
            async (http, asString) => await new TencentVodReader(http) { ReadResponseAsString = asString }.GetTaskDetailAsync("t-1", CancellationToken.None));
        yield return SkyEngineReaders;
    }

    private static IEnumerable<(string Name, string Body)> Bodies(ProviderCase provider)
    {
        yield return ("succeeded", provider.SucceededBody(OutputUrl));
        yield return ("JSON null", "null");
        yield return ("empty", string.Empty);
        yield return ("malformed", """{"status": completed, ]""");
        yield return ("truncated", provider.SucceededBody(OutputUrl)[..40]);
        if (provider.Provider == Provider.SkyEngine)
        {
            yield return ("inline video", $$$"""{"name":"n","done":true,"response":{"videos":[{"bytesBase64Encoded":"{{{LargeVideo}}}","mimeType":"video/mp4"}]}}""");
            yield return ("inline video, then a type error", $$"""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"{{LargeVideo}}"}]},"done":"perhaps"}""");
            yield return ("long JSON null", new string(' ', SkyEngineOperationReader.MinimumInlineLength) + "null");
        }
    }

    /// <summary>The result (serialized) or the exception (type, message, status, response text, inner error) of one read.</summary>
    private static async Task<string> OutcomeAsync(Func<HttpClient, bool, Task<object>> read, byte[] body, Delivery delivery, bool readResponseAsString)
    {
        using var handler = new FixedHandler(body, delivery);
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return JsonConvert.SerializeObject(await read(http, readResponseAsString).WaitAsync(timeout.Token));
        }
        catch (ApiException exception)
        {
            var inner = exception.InnerException is { } e ? $"{e.GetType().Name}: {e.Message}" : "none";
            return $"{exception.GetType().Name}: {exception.Message} | {exception.StatusCode} | response <{exception.Response}> | inner {inner}";
        }
    }

    private sealed class FixedHandler(byte[] body, Delivery delivery) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpContent content = delivery == Delivery.WithLength
                ? new ByteArrayContent(body)
                : new StreamContent(new ChunkedReadStream(body, 997));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
