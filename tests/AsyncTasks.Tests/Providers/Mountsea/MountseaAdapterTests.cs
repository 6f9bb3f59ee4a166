using AsyncTasks.Generated.Mountsea;
using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>Mountsea: <c>GET /gemini/task/result?taskId=</c>, read into a snapshot exactly as PROVIDERS.md decides.</summary>
[TestFixture]
[Category("Providers")]
internal sealed class MountseaAdapterTests
{
    private const string TaskId = "7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10";

    private readonly MountseaAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public void DescribesTheGateway()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(adapter.Provider, Is.EqualTo(Provider.Mountsea));
            Assert.That(adapter.DefaultBaseUrl, Is.EqualTo(new Uri("https://api.mountsea.ai/")));
            Assert.That(adapter.DefaultPollInterval, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(adapter.KeyScheme, Is.EqualTo(new ApiKeyScheme("Authorization", "Bearer ")));
        }
    }

    [TestCase("pending", TaskState.Queued)]
    [TestCase("ready", TaskState.Queued)]
    [TestCase("assigned", TaskState.Queued)]
    [TestCase("queued", TaskState.Queued)]
    [TestCase("processing", TaskState.Running)]
    [TestCase("running", TaskState.Running)]
    [TestCase("completed", TaskState.Succeeded)]
    [TestCase("failed", TaskState.Failed)]
    [TestCase("cancelled", TaskState.Cancelled)]
    [TestCase("canceled", TaskState.Cancelled)]
    [TestCase("timeout", TaskState.TimedOut)]
    public async Task MapsEveryStatus(string status, TaskState expected)
    {
        // Arrange
        await AnswerAsync($$"""{"taskId":"{{TaskId}}","status":"{{status}}","result":{"videoUrl":"https://cdn.example.com/0.mp4"} }""");

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(expected));
            Assert.That(snapshot.ProviderState, Is.EqualTo(status));
        }
    }

    [TestCase("archived")]
    [TestCase("Completed")]
    [TestCase("")]
    public async Task AnUnlistedStatusIsUnknownWithTheRawTextKept(string status)
    {
        // Arrange
        await AnswerAsync($$"""{"taskId":"{{TaskId}}","status":"{{status}}","result":{"videoUrl":"https://cdn.mountsea.ai/v.mp4"} }""");

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Unknown));
            Assert.That(snapshot.IsTerminal, Is.False);
            Assert.That(snapshot.ProviderState, Is.EqualTo(status));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Null);
        }
    }

    [Test]
    public async Task ReadsAFinishedVideoTask()
    {
        // Arrange
        await AnswerAsync("""
            {
              "taskId": "7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10",
              "status": "completed",
              "result": { "videoUrl": "https://cdn.mountsea.ai/gemini/video/7f3c2a9e.mp4" },
              "createdAt": "2026-03-02T08:15:30.000Z",
              "finishedAt": "2026-03-02T08:17:02.000Z",
              "traceId": "0af7651916cd43dd8448eb211c80319c"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        var request = await SingleRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Url, Is.EqualTo("/gemini/task/result?taskId=7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10"));
            Assert.That(snapshot.Task, Is.EqualTo(new TaskRef(Provider.Mountsea, TaskId)));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.ProviderState, Is.EqualTo("completed"));
            Assert.That(snapshot.Progress, Is.Null);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 8, 15, 30, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 8, 17, 2, TimeSpan.Zero)));
            Assert.That(snapshot.CreatedAt!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(snapshot.RequestId, Is.EqualTo("0af7651916cd43dd8448eb211c80319c"));
            Assert.That(snapshot.RawResponse!.ToObjectFromJson<System.Text.Json.JsonElement>().GetProperty("taskId").GetString(), Is.EqualTo(TaskId));
        }

        AssertOutputs(snapshot, (TaskOutputKind.Video, "https://cdn.mountsea.ai/gemini/video/7f3c2a9e.mp4"));
    }

    [Test]
    public async Task ReadsEveryVideoOfVideoUrlsOnceAndInOrder()
    {
        // Arrange: videoUrl repeats the first of videoUrls.
        await AnswerAsync("""
            {
              "taskId": "0c9d3b1e-8a2f-4c57-b1d4-6e0f2a7c9d33",
              "status": "completed",
              "result": {
                "videoUrl": "https://cdn.mountsea.ai/gemini/video/0c9d3b1e-0.mp4",
                "videoUrls": [
                  "https://cdn.mountsea.ai/gemini/video/0c9d3b1e-0.mp4",
                  "https://cdn.mountsea.ai/gemini/video/0c9d3b1e-1.mp4"
                ]
              },
              "createdAt": "2026-03-02T09:00:00.000Z",
              "finishedAt": "2026-03-02T09:02:41.000Z",
              "traceId": "4bf92f3577b34da6a3ce929d0e0e4736"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "0c9d3b1e-8a2f-4c57-b1d4-6e0f2a7c9d33");

        // Assert
        AssertOutputs(
            snapshot,
            (TaskOutputKind.Video, "https://cdn.mountsea.ai/gemini/video/0c9d3b1e-0.mp4"),
            (TaskOutputKind.Video, "https://cdn.mountsea.ai/gemini/video/0c9d3b1e-1.mp4"));
    }

    [Test]
    public async Task ReadsImageUrlsAsImagesAndNeverTheInputImageUrls()
    {
        // Arrange: image_urls are the input images of an edit (the seed's NanoImageDto), not results.
        await AnswerAsync("""
            {
              "taskId": "5e1a7c3d-2b9f-4d60-8e15-9a4c6b2d1f08",
              "status": "completed",
              "result": {
                "imageUrls": ["https://cdn.mountsea.ai/gemini/image/5e1a7c3d-0.png"],
                "image_urls": ["https://example.com/input-to-edit.jpg"]
              },
              "createdAt": "2026-03-02T10:20:00.000Z",
              "finishedAt": "2026-03-02T10:20:14.000Z",
              "traceId": "00f067aa0ba902b7a3ce929d0e0e4736"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "5e1a7c3d-2b9f-4d60-8e15-9a4c6b2d1f08");

        // Assert
        Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
        AssertOutputs(snapshot, (TaskOutputKind.Image, "https://cdn.mountsea.ai/gemini/image/5e1a7c3d-0.png"));
    }

    [Test]
    public async Task ReadsAFailureWithItsNumericCodeAsText()
    {
        // Arrange
        await AnswerAsync("""
            {
              "taskId": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
              "status": "failed",
              "result": null,
              "errorCode": 4001,
              "errorMessage": "The prompt was rejected by the safety filter.",
              "createdAt": "2026-03-02T11:00:00.000Z",
              "finishedAt": "2026-03-02T11:00:09.000Z",
              "traceId": "3e4f5a6b7c8d9e0f1a2b3c4d5e6f7081"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("4001"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("The prompt was rejected by the safety filter."));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 11, 0, 9, TimeSpan.Zero)));
            Assert.That(snapshot.RequestId, Is.EqualTo("3e4f5a6b7c8d9e0f1a2b3c4d5e6f7081"));
        }
    }

    [Test]
    public async Task ReadsATimeoutWithItsMessageAndNoCode()
    {
        // Arrange
        await AnswerAsync("""
            {
              "taskId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
              "status": "timeout",
              "result": null,
              "errorMessage": "Task timed out.",
              "createdAt": "2026-03-02T12:00:00.000Z",
              "finishedAt": "2026-03-02T12:30:00.000Z",
              "traceId": "4f5a6b7c8d9e0f1a2b3c4d5e6f708192"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.TimedOut));
            Assert.That(snapshot.Error?.Code, Is.Null);
            Assert.That(snapshot.Error?.Message, Is.EqualTo("Task timed out."));
        }
    }

    [Test]
    public async Task ReadsAPendingTaskWithoutResultTimeOrError()
    {
        // Arrange
        await AnswerAsync("""
            {
              "taskId": "7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10",
              "status": "pending",
              "result": null,
              "createdAt": "2026-03-02T08:15:30.000Z",
              "traceId": "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Queued));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 3, 2, 8, 15, 30, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.Null);
            Assert.That(snapshot.RequestId, Is.EqualTo("1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"));
        }
    }

    [Test]
    public async Task EscapesTheTaskIdInTheQueryString()
    {
        // Arrange
        await AnswerAsync("""{"taskId":"x","status":"pending"}""");

        // Act
        await GetAsync(adapter, "a b&c=d/é");

        // Assert
        var request = await SingleRequestAsync();
        Assert.That(request.Url, Is.EqualTo("/gemini/task/result?taskId=a%20b%26c%3Dd%2F%C3%A9"));
    }

    [Test]
    public async Task ReadsTheDocumentedErrorBodyOfAnHttpError()
    {
        // Arrange
        await AnswerAsync("""{"statusCode":404,"message":"Task not found","error":"Not Found"}""", status: 404);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Provider, Is.EqualTo(Provider.Mountsea));
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.NotFound));
            Assert.That(exception.HttpStatus, Is.EqualTo(404));
            Assert.That(exception.ProviderCode, Is.EqualTo("404"));
            Assert.That(exception.Message, Does.Contain("Task not found"));
        }
    }

    [Test]
    public async Task ABodyWithoutStatusIsAProtocolError()
    {
        // Arrange
        await AnswerAsync("""{"taskId":"7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10","traceId":"abc"}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.RequestId, Is.EqualTo("abc"));
        }
    }

    private static void AssertOutputs(TaskSnapshot snapshot, params (TaskOutputKind Kind, string Url)[] expected)
    {
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, Url: o.Url?.AbsoluteUri, o.IsInline, o.MimeType, o.FileName, o.ExpiresAt)),
            Is.EqualTo(expected.Select(e => (e.Kind, Url: (string?)e.Url, IsInline: false, MimeType: (string?)null, FileName: (string?)null, ExpiresAt: (DateTimeOffset?)null))));
    }
}
