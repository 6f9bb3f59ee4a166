using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// A 200 answer that parses but lacks the field a task result needs is a Protocol error whose message names the
/// missing field, for each provider; and values a task only has once it ended are not read before.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class MalformedAnswerMessageTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        yield return Case(
            "duomi without code", new DuomiAdapter(), "d-1", """{"msg":"success","data":{"task_id":"d-1","state":"running"}}""",
            "duomi: the response is not a task result: no envelope 'code' (kind Protocol, HTTP 200, request id none)");
        yield return Case(
            "duomi without data.state", new DuomiAdapter(), "d-1", """{"code":200,"msg":"success","data":{"task_id":"d-1"}}""",
            "duomi: the response is not a task result: no 'data.state' (kind Protocol, HTTP 200, request id none)");
        yield return Case(
            "mountsea without status", new MountseaAdapter(), "m-1", """{"taskId":"m-1","traceId":"trace-5"}""",
            "mountsea: the response is not a task result: no 'status' (kind Protocol, HTTP 200, request id trace-5)");
        yield return Case(
            "kexiang without task_status", new KexiangAdapter(), "33201", """{"id":33201}""",
            "kexiang: the response is not a task result: no 'task_status' (kind Protocol, HTTP 200, request id none)");
        yield return Case(
            "tencent-vod without Response.Status", new TencentVodAdapter(), "t-1", """{"Response":{"RequestId":"r-1","AigcImageTask":{"Progress":5}}}""",
            "tencent-vod: the response is not a task result: no 'Response.Status' (kind Protocol, HTTP 200, request id r-1)");
    }

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [TestCaseSource(nameof(Cases))]
    public async Task AMissingFieldIsAProtocolErrorNamingIt(ProviderAdapter adapter, string id, string body, string message)
    {
        // Arrange
        await AnswerAsync(body);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, id));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.Message, Is.EqualTo(message));
        }
    }

    [Test]
    public async Task ATencentResponseThatIsNotAnObjectIsATypedErrorWhateverTheStatus()
    {
        foreach (var (status, body, message) in new[]
        {
            (200, """{"Response":null}""", "tencent-vod: the response body is not the JSON the API documents (malformed or truncated) (kind Protocol, HTTP 200, request id none)"),
            (500, """{"Response":"upstream down"}""", "tencent-vod: the API answered HTTP 500 (kind Server, HTTP 500, request id none)"),
        })
        {
            await ResetAsync();
            await AnswerAsync(body, status);

            var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(new TencentVodAdapter(), "t-1"), body);

            Assert.That(exception.Message, Is.EqualTo(message), body);
        }
    }

    [Test]
    public async Task AFailedDuomiTaskHasNoOutputsEvenWhenImagesAreListed()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            new DuomiAdapter(),
            "d-2",
            """
            {"code":200,"msg":"success","data":{"task_id":"d-2","state":"error","msg":"refused",
              "data":{"images":[{"url":"https://files.duomiapi.com/nano-banana/d-2/0.png"}]}}}
            """);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error?.Message, Is.EqualTo("refused"));
        }
    }

    [TestCase(599, TaskErrorKind.Server)]
    [TestCase(600, TaskErrorKind.Protocol)]
    public async Task ADuomiEnvelopeCodeIsAServerErrorOnlyIn5xx(int code, TaskErrorKind kind)
    {
        // Arrange
        await AnswerAsync($$"""{"code":{{code}},"msg":"failed","data":null}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(new DuomiAdapter(), "d-3"));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(kind));
            Assert.That(exception.Message, Is.EqualTo($"duomi: the API reported an error: failed (kind {kind}, HTTP 200, provider code {code}, request id none)"));
        }
    }

    [Test]
    public async Task AnInBandErrorWithoutAMessageSaysOnlyThatTheApiReportedAnError()
    {
        // Arrange
        await AnswerAsync("""{"code":401,"data":null}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(new DuomiAdapter(), "d-4"));

        // Assert
        Assert.That(
            exception.Message,
            Is.EqualTo("duomi: the API reported an error (kind Authentication, HTTP 200, provider code 401, request id none)"));
    }

    [Test]
    public async Task AMountseaFinishTimeIsNotReadBeforeTheTaskEnds()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            new MountseaAdapter(),
            "m-2",
            """
            {"taskId":"m-2","status":"processing","createdAt":"2026-03-02T08:15:30.000Z",
             "finishedAt":"2026-03-02T08:17:02.000Z","traceId":"t-2"}
            """);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 8, 15, 30, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.Null);
        }
    }

    private static TestCaseData Case(string name, ProviderAdapter adapter, string id, string body, string message) =>
        new TestCaseData(adapter, id, body, message).SetName($"{{m}}({name})");
}
