using AsyncTasks.Generated.TencentVod;
using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// Tencent VOD gateways: <c>GET /tencent-vod/v1/query/{task_id}</c>. FINISH ends failed tasks too, API errors
/// arrive with HTTP 200 in <c>Response.Error</c>, and an unset time is the zero date.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class TencentVodAdapterTests
{
    private const string ImageTaskId = "1392336703-AigcImageTask-47965947a83db42af4b1e3a74c243531t";
    private const string VideoTaskId = "1392336703-AigcVideoTask-0f1e2d3c4b5a69788796a5b4c3d2e1f0t";

    private readonly TencentVodAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public void DescribesTheGateway()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(adapter.Provider, Is.EqualTo(Provider.TencentVod));
            Assert.That(adapter.DefaultBaseUrl, Is.Null, "several gateways serve this API: the base URL must be configured");
            Assert.That(adapter.DefaultPollInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(adapter.KeyScheme, Is.EqualTo(new ApiKeyScheme("Authorization", "Bearer ")));
        }
    }

    [TestCase("WAITING", TaskState.Queued)]
    [TestCase("PROCESSING", TaskState.Running)]
    [TestCase("FINISH", TaskState.Succeeded)]
    [TestCase("ABORTED", TaskState.Cancelled)]
    [TestCase("FAIL", TaskState.Unknown)]
    [TestCase("finish", TaskState.Unknown)]
    public async Task MapsEveryStatus(string status, TaskState expected)
    {
        // Arrange
        await AnswerAsync(VideoTask(status, errCode: 0, errCodeExt: "", message: "", progress: 10));

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(expected));
            Assert.That(snapshot.ProviderState, Is.EqualTo(status));
            Assert.That(snapshot.Progress, Is.EqualTo(10));
        }
    }

    [Test]
    public async Task ReadsThePagesFinishedImageTask()
    {
        // Arrange
        await AnswerAsync("""
            {
              "Response": {
                "Status": "FINISH",
                "TaskType": "AigcImageTask",
                "RequestId": "12082802-fe37-410e-ae20-0cf14e91e018",
                "CreateTime": "2025-12-29T12:03:30Z",
                "FinishTime": "2025-12-29T12:03:43Z",
                "AigcImageTask": {
                  "Input": {
                    "Prompt": "pig", "ModelName": "GEM", "ModelVersion": "2.5",
                    "OutputConfig": { "StorageMode": "Temporary" },
                    "EnhancePrompt": "Enabled", "NegativePrompt": "blur, distorted"
                  },
                  "Output": {
                    "FileInfos": [
                      {
                        "FileUrl": "http://251000800.vod2.myqcloud.com/1a168d62vodcq251000800/ef0aa3215145403710877804273/aigcImageGenFile.png",
                        "ExpireTime": "2026-01-05T12:03:57Z",
                        "StorageMode": "Temporary"
                      }
                    ]
                  },
                  "Status": "FINISH",
                  "TaskId": "1392336703-AigcImageTask-47965947a83db42af4b1e3a74c243531t",
                  "Progress": 100
                },
                "BeginProcessTime": "2025-12-29T12:03:30Z"
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, ImageTaskId);

        // Assert
        var request = await SingleRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Url, Is.EqualTo("/tencent-vod/v1/query/1392336703-AigcImageTask-47965947a83db42af4b1e3a74c243531t"));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.ProviderState, Is.EqualTo("FINISH"));
            Assert.That(snapshot.Progress, Is.EqualTo(100));
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 12, 3, 30, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 12, 3, 43, TimeSpan.Zero)));
            Assert.That(snapshot.RequestId, Is.EqualTo("12082802-fe37-410e-ae20-0cf14e91e018"));
            Assert.That(
                snapshot.RawResponse!.ToObjectFromJson<System.Text.Json.JsonElement>().GetProperty("Response").GetProperty("RequestId").GetString(),
                Is.EqualTo("12082802-fe37-410e-ae20-0cf14e91e018"));
            Assert.That(
                snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri, o.IsInline, o.MimeType, o.FileName, o.ExpiresAt)),
                Is.EqualTo(new[]
                {
                    (TaskOutputKind.Image,
                     (string?)"http://251000800.vod2.myqcloud.com/1a168d62vodcq251000800/ef0aa3215145403710877804273/aigcImageGenFile.png",
                     false,
                     (string?)null,
                     (string?)null,
                     (DateTimeOffset?)new DateTimeOffset(2026, 1, 5, 12, 3, 57, TimeSpan.Zero)),
                }));
        }
    }

    [Test]
    public async Task ReadsAFinishedVideoTaskWithMediaNameAsFileName()
    {
        // Arrange
        await AnswerAsync("""
            {
              "Response": {
                "Status": "FINISH",
                "TaskType": "AigcVideoTask",
                "RequestId": "7e2d0c6a-9b3f-4a4c-bd5e-8f0a1b2c3d4e",
                "CreateTime": "2026-01-10T08:00:00Z",
                "BeginProcessTime": "2026-01-10T08:00:05Z",
                "FinishTime": "2026-01-10T08:02:10Z",
                "AigcVideoTask": {
                  "TaskId": "1392336703-AigcVideoTask-0f1e2d3c4b5a69788796a5b4c3d2e1f0t",
                  "Status": "FINISH", "ErrCode": 0, "ErrCodeExt": "", "Message": "", "Progress": 100,
                  "Input": { "ModelName": "Hunyuan", "ModelVersion": "1.5", "Prompt": "a cat surfing a wave" },
                  "Output": {
                    "FileInfos": [
                      {
                        "FileUrl": "https://251000800.vod2.myqcloud.com/1a168d62vodcq251000800/5f6e7d8c9b0a/aigcVideoGenFile.mp4",
                        "FileType": "video",
                        "FileId": "5145403710877811111",
                        "StorageMode": "Permanent",
                        "MediaName": "aigcVideoGenFile",
                        "ClassId": 0,
                        "ExpireTime": "2026-01-17T08:02:10Z",
                        "MetaData": { "Duration": 5.0, "Width": 1280, "Height": 720 }
                      }
                    ],
                    "ProcedureTaskIds": ["1392336703-procedurev2-8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3dt"],
                    "Usage": { "InputTokens": 120, "ThoughtTokens": 0 }
                  }
                }
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Progress, Is.EqualTo(100));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 10, 8, 2, 10, TimeSpan.Zero)));
            Assert.That(
                snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri, o.IsInline, o.MimeType, o.FileName, o.ExpiresAt)),
                Is.EqualTo(new[]
                {
                    (TaskOutputKind.Video,
                     (string?)"https://251000800.vod2.myqcloud.com/1a168d62vodcq251000800/5f6e7d8c9b0a/aigcVideoGenFile.mp4",
                     false,
                     (string?)null,
                     (string?)"aigcVideoGenFile",
                     (DateTimeOffset?)new DateTimeOffset(2026, 1, 17, 8, 2, 10, TimeSpan.Zero)),
                }));
        }
    }

    [Test]
    public async Task ReadsTheZeroDateAsNoTime()
    {
        // Arrange
        await AnswerAsync("""
            {
              "Response": {
                "Status": "WAITING",
                "TaskType": "AigcVideoTask",
                "RequestId": "5c0b8a4e-7f1d-4e2a-9b3c-6d8e0f1a2b3c",
                "CreateTime": "2026-01-10T08:00:00Z",
                "BeginProcessTime": "0000-00-00T00:00:00Z",
                "FinishTime": "0000-00-00T00:00:00Z",
                "AigcVideoTask": {
                  "TaskId": "1392336703-AigcVideoTask-0f1e2d3c4b5a69788796a5b4c3d2e1f0t",
                  "Status": "WAITING", "ErrCode": 0, "ErrCodeExt": "", "Message": "", "Progress": 0
                }
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Queued));
            Assert.That(snapshot.Progress, Is.Zero);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 10, 8, 0, 0, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.Null);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.RequestId, Is.EqualTo("5c0b8a4e-7f1d-4e2a-9b3c-6d8e0f1a2b3c"));
        }
    }

    [Test]
    public async Task ReportsTheProgressOfARunningTask()
    {
        // Arrange
        await AnswerAsync(VideoTask("PROCESSING", errCode: 0, errCodeExt: "", message: "", progress: 45));

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(snapshot.Progress, Is.EqualTo(45));
            Assert.That(snapshot.FinishedAt, Is.Null);
        }
    }

    [TestCase(150, 100)]
    [TestCase(-5, 0)]
    public async Task ClampsProgressTo0To100(int reported, int expected)
    {
        // Arrange
        await AnswerAsync(VideoTask("PROCESSING", errCode: 0, errCodeExt: "", message: "", progress: reported));

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        Assert.That(snapshot.Progress, Is.EqualTo(expected));
    }

    [Test]
    public async Task FinishWithAnErrorCodeIsAFailure()
    {
        // Arrange: there is no FAIL status.
        await AnswerAsync(ImageTask("FINISH", errCode: 10010, errCodeExt: "InvalidInput.SensitiveContent", message: "The prompt contains sensitive content."));

        // Act
        var snapshot = await GetAsync(adapter, ImageTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.ProviderState, Is.EqualTo("FINISH"));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("InvalidInput.SensitiveContent"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("The prompt contains sensitive content."));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 11, 9, 0, 20, TimeSpan.Zero)));
        }
    }

    [Test]
    public async Task FinishWithOnlyANumericErrCodeIsAFailureWithThatCode()
    {
        // Arrange
        await AnswerAsync(ImageTask("FINISH", errCode: 10010, errCodeExt: "", message: "Generation failed."));

        // Act
        var snapshot = await GetAsync(adapter, ImageTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("10010"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("Generation failed."));
        }
    }

    [Test]
    public async Task FinishWithOnlyAnErrCodeExtIsAFailure()
    {
        // Arrange: ErrCode absent, ErrCodeExt set.
        await AnswerAsync($$"""
            {"Response":{"Status":"FINISH","TaskType":"AigcImageTask","RequestId":"r",
              "AigcImageTask":{"TaskId":"{{ImageTaskId}}","Status":"FINISH","ErrCodeExt":"InternalError.Upstream","Message":"Upstream failed."} } }
            """);

        // Act
        var snapshot = await GetAsync(adapter, ImageTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("InternalError.Upstream"));
        }
    }

    [Test]
    public async Task FinishWithOperationCanceledIsCancelled()
    {
        // Arrange
        await AnswerAsync(VideoTask("FINISH", errCode: 0, errCodeExt: "OperationCanceled", message: "The task was cancelled.", progress: 30));

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(snapshot.ProviderState, Is.EqualTo("FINISH"));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("OperationCanceled"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("The task was cancelled."));
            Assert.That(snapshot.Progress, Is.EqualTo(30));
            Assert.That(snapshot.Outputs, Is.Empty);
        }
    }

    [Test]
    public async Task FinishWithTaskTimeoutIsTimedOut()
    {
        // Arrange
        await AnswerAsync(VideoTask("FINISH", errCode: 0, errCodeExt: "TaskTimeout", message: "The task timed out.", progress: 60));

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.TimedOut));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("TaskTimeout"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("The task timed out."));
            Assert.That(snapshot.Progress, Is.EqualTo(60));
        }
    }

    [Test]
    public async Task AbortedIsCancelled()
    {
        // Arrange
        await AnswerAsync(ImageTask("ABORTED", errCode: 0, errCodeExt: "", message: ""));

        // Act
        var snapshot = await GetAsync(adapter, ImageTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Cancelled));
            Assert.That(snapshot.ProviderState, Is.EqualTo("ABORTED"));
            Assert.That(snapshot.Error, Is.Not.Null);
            Assert.That(snapshot.Error!.Code, Is.Null);
            Assert.That(snapshot.Error.Message, Is.Null);
            Assert.That(snapshot.Outputs, Is.Empty);
        }
    }

    [TestCase("ResourceNotFound", TaskErrorKind.NotFound)]
    [TestCase("ResourceNotFound.TaskNotExist", TaskErrorKind.NotFound)]
    [TestCase("InvalidParameterValue.TaskId", TaskErrorKind.NotFound)]
    [TestCase("AuthFailure.SignatureFailure", TaskErrorKind.Authentication)]
    [TestCase("AuthFailure", TaskErrorKind.Authentication)]
    [TestCase("UnauthorizedOperation", TaskErrorKind.Authentication)]
    [TestCase("RequestLimitExceeded", TaskErrorKind.RateLimited)]
    [TestCase("RequestLimitExceeded.UinLimitExceeded", TaskErrorKind.RateLimited)]
    [TestCase("InternalError", TaskErrorKind.Server)]
    [TestCase("ResourceUnavailable", TaskErrorKind.Server)]
    [TestCase("FailedOperation.DbError", TaskErrorKind.Server)]
    [TestCase("InvalidParameter", TaskErrorKind.Protocol)]
    [TestCase("UnsupportedOperation", TaskErrorKind.Protocol)]
    public async Task AnApiErrorUnderHttp200IsThrownWithItsKind(string code, TaskErrorKind expected)
    {
        // Arrange
        await AnswerAsync($$"""
            {"Response":{"Error":{"Code":"{{code}}","Message":"The task does not exist."},"RequestId":"2d7c5b1f-4a8e-4f9b-8cad-3e4f5a6b7c8d"} }
            """);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, ImageTaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Provider, Is.EqualTo(Provider.TencentVod));
            Assert.That(exception.Kind, Is.EqualTo(expected));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.ProviderCode, Is.EqualTo(code));
            Assert.That(exception.RequestId, Is.EqualTo("2d7c5b1f-4a8e-4f9b-8cad-3e4f5a6b7c8d"));
            Assert.That(exception.Message, Does.Contain("The task does not exist."));
        }
    }

    [Test]
    public async Task WithoutTaskTypeTheTaskObjectPresentIsRead()
    {
        // Arrange
        await AnswerAsync($$"""
            {"Response":{"Status":"FINISH","RequestId":"r",
              "AigcVideoTask":{"TaskId":"{{VideoTaskId}}","Status":"FINISH","ErrCode":0,"Progress":100,
                "Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/v.mp4"}]} } } }
            """);

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Progress, Is.EqualTo(100));
            Assert.That(
                snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
                Is.EqualTo(new[] { (TaskOutputKind.Video, (string?)"https://vod.example.com/v.mp4") }));
        }
    }

    [Test]
    public async Task TaskTypeChoosesTheTaskObjectAndFileTypeRefinesTheKind()
    {
        // Arrange: TaskType names the video task; one of its files says it is an image.
        await AnswerAsync($$"""
            {"Response":{"Status":"FINISH","TaskType":"AigcVideoTask","RequestId":"r",
              "AigcImageTask":{"Status":"FINISH","Output":{"FileInfos":[{"FileUrl":"https://vod.example.com/wrong.png"}]} },
              "AigcVideoTask":{"TaskId":"{{VideoTaskId}}","Status":"FINISH","ErrCode":0,
                "Output":{"FileInfos":[
                  {"FileUrl":"https://vod.example.com/v.mp4"},
                  {"FileUrl":"https://vod.example.com/cover.jpg","FileType":"image"},
                  {"FileUrl":"","FileType":"video"}]} } } }
            """);

        // Act
        var snapshot = await GetAsync(adapter, VideoTaskId);

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
            Is.EqualTo(new[]
            {
                (TaskOutputKind.Video, (string?)"https://vod.example.com/v.mp4"),
                (TaskOutputKind.Image, (string?)"https://vod.example.com/cover.jpg"),
            }));
    }

    [Test]
    public async Task AResponseWithoutStatusIsAProtocolError()
    {
        // Arrange
        await AnswerAsync("""{"Response":{"RequestId":"3e8d6c20-5b9f-4a0c-9dbe-4f5a6b7c8d9e"}}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, ImageTaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.RequestId, Is.EqualTo("3e8d6c20-5b9f-4a0c-9dbe-4f5a6b7c8d9e"));
        }
    }

    private static string VideoTask(string status, int errCode, string errCodeExt, string message, int progress) => $$"""
        {
          "Response": {
            "Status": "{{status}}",
            "TaskType": "AigcVideoTask",
            "RequestId": "9a4f2e8c-1d5b-4c6e-9f7a-0b1c2d3e4f5a",
            "CreateTime": "2026-01-12T10:00:00Z",
            "BeginProcessTime": "2026-01-12T10:00:03Z",
            "FinishTime": "2026-01-12T10:00:40Z",
            "AigcVideoTask": {
              "TaskId": "{{VideoTaskId}}",
              "Status": "{{status}}",
              "ErrCode": {{errCode}},
              "ErrCodeExt": "{{errCodeExt}}",
              "Message": "{{message}}",
              "Progress": {{progress}},
              "Output": { "FileInfos": [ { "FileUrl": "https://cdn.example.com/0.mp4" } ] }
            }
          }
        }
        """;

    private static string ImageTask(string status, int errCode, string errCodeExt, string message) => $$"""
        {
          "Response": {
            "Status": "{{status}}",
            "TaskType": "AigcImageTask",
            "RequestId": "8f3e1d7b-0c4a-4b5d-8e6f-9a0b1c2d3e4f",
            "CreateTime": "2026-01-11T09:00:00Z",
            "BeginProcessTime": "2026-01-11T09:00:02Z",
            "FinishTime": "2026-01-11T09:00:20Z",
            "AigcImageTask": {
              "TaskId": "{{ImageTaskId}}",
              "Status": "{{status}}",
              "ErrCode": {{errCode}},
              "ErrCodeExt": "{{errCodeExt}}",
              "Message": "{{message}}",
              "Progress": 100
            }
          }
        }
        """;
}
