using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// Tencent VOD answers in the less common shapes: the status only in the task object, a TaskType naming an absent
/// object, files of a failed task, FileType values, an error without a code, and Tencent's error inside an HTTP error.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class TencentVodTaskObjectTests
{
    private const string TaskId = "1392336703-AigcImageTask-47965947a83db42af4b1e3a74c243531t";

    private readonly TencentVodAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public async Task WithoutResponseStatusTheTaskObjectsStatusIsRead()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter, TaskId, """{"Response":{"RequestId":"r","AigcImageTask":{"Status":"PROCESSING","Progress":30}}}""");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(snapshot.ProviderState, Is.EqualTo("PROCESSING"));
            Assert.That(snapshot.Progress, Is.EqualTo(30));
        }
    }

    [Test]
    public async Task ResponseStatusWinsOverTheTaskObjectsStatus()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter, TaskId, """{"Response":{"Status":"WAITING","RequestId":"r","AigcImageTask":{"Status":"PROCESSING"}}}""");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Queued));
            Assert.That(snapshot.ProviderState, Is.EqualTo("WAITING"));
        }
    }

    [Test]
    public async Task ResponseStatusIsEnoughWithoutATaskObject()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(adapter, TaskId, """{"Response":{"Status":"FINISH","RequestId":"r"}}""");

        // Assert: read, and finished; with no output to show for it, an empty result (the rule of all five).
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error?.Code, Is.EqualTo("empty_result"));
        }
    }

    [Test]
    public async Task WithoutTaskTypeTheImageObjectIsReadFirst()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            TaskId,
            """
            {"Response":{"Status":"FINISH","RequestId":"r",
              "AigcImageTask":{"Status":"FINISH","Progress":100,"Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/i.png"}]}},
              "AigcVideoTask":{"Status":"FINISH","Progress":50,"Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/v.mp4"}]}}}}
            """);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Progress, Is.EqualTo(100));
            Assert.That(
                snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
                Is.EqualTo(new[] { (TaskOutputKind.Image, (string?)"https://vod.example.com/i.png") }));
        }
    }

    [Test]
    public async Task WithoutTaskTypeALoneImageObjectIsRead()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            TaskId,
            """
            {"Response":{"Status":"FINISH","RequestId":"r",
              "AigcImageTask":{"Status":"FINISH","Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/i.png"}]}}}}
            """);

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
            Is.EqualTo(new[] { (TaskOutputKind.Image, (string?)"https://vod.example.com/i.png") }));
    }

    [Test]
    public async Task ATaskTypeNamingAnAbsentObjectFallsBackToTheObjectPresent()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            TaskId,
            """
            {"Response":{"Status":"FINISH","TaskType":"AigcImageTask","RequestId":"r",
              "AigcVideoTask":{"Status":"FINISH","Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/v.mp4"}]}}}}
            """);

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
            Is.EqualTo(new[] { (TaskOutputKind.Video, (string?)"https://vod.example.com/v.mp4") }));
    }

    [Test]
    public async Task AFailedTaskHasNoOutputsEvenWhenFilesAreListed()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            TaskId,
            """
            {"Response":{"Status":"FINISH","TaskType":"AigcImageTask","RequestId":"r",
              "AigcImageTask":{"Status":"FINISH","ErrCode":70000,"ErrCodeExt":"InvalidInput","Message":"bad prompt",
                "Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/partial.png"}]}}}}
            """);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error?.ToString(), Is.EqualTo("InvalidInput: bad prompt"));
        }
    }

    [Test]
    public async Task ARunningTaskHasNoOutputsEvenWhenFilesAreListed()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            TaskId,
            """
            {"Response":{"Status":"PROCESSING","TaskType":"AigcImageTask","RequestId":"r",
              "AigcImageTask":{"Status":"PROCESSING","Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/early.png"}]}}}}
            """);

        // Assert
        Assert.That(snapshot.Outputs, Is.Empty);
    }

    [Test]
    public async Task AFileTypeThatSaysVideoMakesAVideoAndAnyOtherKeepsTheTaskKind()
    {
        // Act
        var snapshot = await AnswerAndGetAsync(
            adapter,
            TaskId,
            """
            {"Response":{"Status":"FINISH","TaskType":"AigcImageTask","RequestId":"r",
              "AigcImageTask":{"Status":"FINISH","Output":{"FileInfos":[
                {"FileUrl":"https://vod.example.com/1","FileType":"VIDEO"},
                {"FileUrl":"https://vod.example.com/2","FileType":"video/mp4"},
                {"FileUrl":"https://vod.example.com/3","FileType":"videos"},
                {"FileUrl":"https://vod.example.com/4","FileType":"audio/mpeg"},
                {"FileUrl":"https://vod.example.com/5","FileType":" "}]}}}}
            """);

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
            Is.EqualTo(new[]
            {
                (TaskOutputKind.Video, (string?)"https://vod.example.com/1"),
                (TaskOutputKind.Video, (string?)"https://vod.example.com/2"),
                (TaskOutputKind.Image, (string?)"https://vod.example.com/3"),
                (TaskOutputKind.Image, (string?)"https://vod.example.com/4"),
                (TaskOutputKind.Image, (string?)"https://vod.example.com/5"),
            }));
    }

    [Test]
    public async Task AnHttpErrorCarryingTencentsErrorReportsItsCodeAndMessage()
    {
        // Arrange
        await AnswerAsync(
            """{"Response":{"Error":{"Code":"AuthFailure.SecretIdNotFound","Message":"The SecretId is not found."},"RequestId":"r-401"}}""",
            status: 401);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Authentication));
            Assert.That(exception.HttpStatus, Is.EqualTo(401));
            Assert.That(exception.ProviderCode, Is.EqualTo("AuthFailure.SecretIdNotFound"));
            Assert.That(
                exception.Message,
                Is.EqualTo("tencent-vod: the API answered HTTP 401: The SecretId is not found. (kind Authentication, HTTP 401, provider code AuthFailure.SecretIdNotFound, request id none)"));
        }
    }

    [Test]
    public async Task AnApiErrorWithoutACodeIsAProtocolError()
    {
        // Arrange
        await AnswerAsync("""{"Response":{"Error":{"Message":"Something went wrong."},"RequestId":"r-5"}}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.ProviderCode, Is.Null);
            Assert.That(exception.Message, Is.EqualTo("tencent-vod: the API reported an error: Something went wrong. (kind Protocol, HTTP 200, request id r-5)"));
        }
    }

    [TestCase("", TestName = "{m}(empty)")]
    [TestCase("  ", TestName = "{m}(blank)")]
    [TestCase("<html>Bad Gateway</html>", TestName = "{m}(not JSON)")]
    [TestCase("""{"Response":{"RequestId":"r"}}""", TestName = "{m}(no Error)")]
    public async Task AnHttpErrorWithoutTencentsErrorIsReportedByItsStatus(string body)
    {
        // Arrange
        await AnswerAsync(body, status: 502);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Server));
            Assert.That(exception.ProviderCode, Is.Null);
            Assert.That(exception.Message, Is.EqualTo("tencent-vod: the API answered HTTP 502 (kind Server, HTTP 502, request id none)"));
        }
    }
}
