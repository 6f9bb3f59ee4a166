using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// SkyEngine results at their edges: the wording of a result without a video, empty inline bytes, a flat video
/// beside a nested one, inline bytes that are not base64, and operation names with a dot segment.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class SkyEngineResultEdgeTests
{
    private const string OperationName =
        "projects/my-project/locations/us-central1/publishers/google/models/veo-3.1-generate-preview/operations/op-1";

    private readonly SkyEngineAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public async Task DoneWithoutAVideoSaysSo()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(adapter, OperationName, """{"done":true,"response":{"generatedVideos":[]}}""");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Error?.Code, Is.EqualTo("empty_result"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("the operation finished without a video"));
        }
    }

    [Test]
    public async Task EveryVideoFilteredWithoutAReasonSaysTheFilterRemovedThem()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter, OperationName, """{"done":true,"response":{"raiMediaFilteredCount":1,"raiMediaFilteredReasons":["", " "]}}""");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("content_filtered"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("every video was removed by the content filter"));
        }
    }

    [Test]
    public async Task EmptyInlineBytesAreNoVideo()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter, OperationName, """{"done":true,"response":{"videos":[{"bytesBase64Encoded":"","mimeType":"video/mp4"}]}}""");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("empty_result"));
            Assert.That(snapshot.Outputs, Is.Empty);
        }
    }

    [Test]
    public async Task TheFlatUriAndMimeTypeWinOverTheNestedVideos()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            OperationName,
            """
            {"done":true,"response":{"generatedVideos":[
              {"uri":"https://storage.example.com/flat.mp4","mimeType":"video/mp4",
               "video":{"uri":"https://storage.example.com/nested.webm","mimeType":"video/webm"}}]}}
            """);

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Url?.AbsoluteUri, o.MimeType)),
            Is.EqualTo(new[] { ((string?)"https://storage.example.com/flat.mp4", (string?)"video/mp4") }));
    }

    [TestCase("""{"done":true,"response":{"videos":[{"bytesBase64Encoded":"!!!"}]}}""", TestName = "{m}(Vertex bytes)")]
    [TestCase("""{"done":true,"response":{"generatedVideos":[{"videoBytes":"abc"}]}}""", TestName = "{m}(flat bytes)")]
    public async Task InlineBytesThatAreNotBase64AreAProtocolError(string body)
    {
        // Arrange
        await AnswerAsync(body);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, OperationName));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.InnerException, Is.InstanceOf<FormatException>());
            Assert.That(exception.Message, Is.EqualTo("skyengine: the response holds a value of an unexpected form (kind Protocol, HTTP 200, request id none)"));
        }
    }

    [TestCase("projects/p/locations/l/publishers/google/models/m/operations/.")]
    [TestCase("projects/p/locations/l/publishers/google/models/m/operations/..")]
    [TestCase("projects/./locations/l/publishers/google/models/m/operations/1")]
    public async Task AnOperationNameWithADotSegmentIsRefusedBeforeAnyRequest(string id)
    {
        // Act
        var exception = Assert.ThrowsAsync<ArgumentException>(() => GetAsync(adapter, id));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ParamName, Is.EqualTo("id"));
            Assert.That(exception.Message, Does.StartWith($"'{id}' is not a"));
            Assert.That(await JournalAsync(), Is.Empty);
        }
    }
}
