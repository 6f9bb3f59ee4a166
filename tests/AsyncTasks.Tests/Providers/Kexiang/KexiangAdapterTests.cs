using AsyncTasks.Generated.Kexiang;
using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>Kexiang (可想AI): <c>GET /api/v1/user_task/get/passAuth/{id}</c>; times in +08:00 with microseconds.</summary>
[TestFixture]
[Category("Providers")]
internal sealed class KexiangAdapterTests
{
    private readonly KexiangAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public void DescribesTheGateway()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(adapter.Provider, Is.EqualTo(Provider.Kexiang));
            Assert.That(adapter.DefaultBaseUrl, Is.EqualTo(new Uri("https://kexiangai.com/")));
            Assert.That(adapter.DefaultPollInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(adapter.KeyScheme, Is.EqualTo(new ApiKeyScheme("x-api-key", string.Empty)));
        }
    }

    [TestCase("pending", TaskState.Queued)]
    [TestCase("running", TaskState.Running)]
    [TestCase("processing", TaskState.Running)]
    [TestCase("success", TaskState.Succeeded)]
    [TestCase("failed", TaskState.Failed)]
    [TestCase("failure", TaskState.Failed)]
    [TestCase("error", TaskState.Failed)]
    [TestCase("cancelled", TaskState.Cancelled)]
    [TestCase("canceled", TaskState.Cancelled)]
    public async Task MapsEveryStatus(string status, TaskState expected)
    {
        // Arrange
        await AnswerAsync($$"""{"id":33410,"task_status":"{{status}}","service_output":{"imgUrl":"https://cdn.example.com/0.png"} }""");

        // Act
        var snapshot = await GetAsync(adapter, "33410");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(expected));
            Assert.That(snapshot.ProviderState, Is.EqualTo(status));
        }
    }

    [TestCase("queued_for_review")]
    [TestCase("SUCCESS")]
    public async Task AnUnlistedStatusIsUnknownWithTheRawTextKept(string status)
    {
        // Arrange
        await AnswerAsync($$"""{"id":33410,"task_status":"{{status}}","service_output":{"imgUrl":"https://kexiangai.com/x.png"} }""");

        // Act
        var snapshot = await GetAsync(adapter, "33410");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Unknown));
            Assert.That(snapshot.ProviderState, Is.EqualTo(status));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.FinishedAt, Is.Null);
        }
    }

    [Test]
    public async Task ReadsThePagesExample()
    {
        // Arrange
        await AnswerAsync("""
            {
              "id": 33201,
              "created_at": "2026-06-13T23:14:07.689977+08:00",
              "updated_at": "2026-06-13T23:18:40.462006+08:00",
              "project_id": 7113,
              "user_input": {
                "modelType": "img2img",
                "modelName": "gemini-3-pro-image-preview",
                "prompt": "Remove the background and replace it with a beach scene",
                "size": "9:16",
                "resolution": "1k",
                "image_urls": ["https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_d2be512a1e50456a918eaaff036b9136.png"]
              },
              "cover_url": null,
              "service_output": {
                "imgUrl": "https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_d7f5d2bcad9a48189ce41e5da9339355.png",
                "imgUrls": null,
                "videoUrl": null,
                "taskId": 33201,
                "failReason": null,
                "prompt": "**Integrating Elements Seamlessly**\n\nMy recent focus has been on the integration."
              },
              "source": "0",
              "del_status": "0",
              "is_hidden": "0",
              "task_status": "success",
              "cost": "1.2"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "33201");

        // Assert
        var request = await SingleRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Url, Is.EqualTo("/api/v1/user_task/get/passAuth/33201"));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.ProviderState, Is.EqualTo("success"));
            Assert.That(snapshot.Progress, Is.Null);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.RequestId, Is.Null);
            Assert.That(snapshot.RawResponse!.ToObjectFromJson<System.Text.Json.JsonElement>().GetProperty("task_status").GetString(), Is.EqualTo("success"));

            // 23:14:07.689977 at +08:00 is 15:14:07.689977 UTC, to the microsecond.
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 13, 15, 14, 7, 689, 977, TimeSpan.Zero)));
            Assert.That(snapshot.CreatedAt!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(snapshot.CreatedAt.Value.UtcTicks, Is.EqualTo(new DateTimeOffset(2026, 6, 13, 15, 14, 7, TimeSpan.Zero).UtcTicks + 6_899_770));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 13, 15, 18, 40, 462, 6, TimeSpan.Zero)));

            // The input image (user_input.image_urls) is not an output.
            Assert.That(
                snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri, o.IsInline, o.MimeType, o.FileName, o.ExpiresAt)),
                Is.EqualTo(new[]
                {
                    (TaskOutputKind.Image, (string?)"https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_d7f5d2bcad9a48189ce41e5da9339355.png", false, (string?)null, (string?)null, (DateTimeOffset?)null),
                }));
        }
    }

    [Test]
    public async Task ReadsImgUrlsWithoutRepeatingImgUrl()
    {
        // Arrange: imgUrl repeats the first of imgUrls.
        await AnswerAsync("""
            {
              "id": 33305,
              "created_at": "2026-06-14T10:02:11.104233+08:00",
              "updated_at": "2026-06-14T10:03:52.771905+08:00",
              "cover_url": null,
              "service_output": {
                "imgUrl": "https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_0a1b2c3d.png",
                "imgUrls": [
                  "https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_0a1b2c3d.png",
                  "https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_4e5f6a7b.png"
                ],
                "videoUrl": null, "taskId": 33305, "failReason": null, "prompt": null
              },
              "task_status": "success",
              "cost": "2.4"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "33305");

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
            Is.EqualTo(new[]
            {
                (TaskOutputKind.Image, (string?)"https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_0a1b2c3d.png"),
                (TaskOutputKind.Image, (string?)"https://mathmind-files.oss-cn-beijing.aliyuncs.com/images/kx_gemini_4e5f6a7b.png"),
            }));
    }

    [Test]
    public async Task ReadsVideoUrlAsAVideoAndNeverTheCover()
    {
        // Arrange
        await AnswerAsync("""
            {
              "id": 33500,
              "cover_url": "https://mathmind-files.oss-cn-beijing.aliyuncs.com/covers/kx_cover.png",
              "service_output": {
                "imgUrl": null,
                "imgUrls": [],
                "videoUrl": "https://mathmind-files.oss-cn-beijing.aliyuncs.com/videos/kx_video.mp4"
              },
              "task_status": "success"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "33500");

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri)),
            Is.EqualTo(new[] { (TaskOutputKind.Video, (string?)"https://mathmind-files.oss-cn-beijing.aliyuncs.com/videos/kx_video.mp4") }));
    }

    [Test]
    public async Task ReadsAPendingTaskWithoutServiceOutput()
    {
        // Arrange
        await AnswerAsync("""
            {
              "id": 33410,
              "created_at": "2026-06-14T11:00:00.000001+08:00",
              "updated_at": "2026-06-14T11:00:00.000001+08:00",
              "project_id": 7113,
              "user_input": { "modelType": "txt2img", "modelName": "gemini-3-pro-image-preview", "prompt": "A lighthouse at dusk" },
              "cover_url": null,
              "service_output": null,
              "source": "0", "del_status": "0", "is_hidden": "0",
              "task_status": "pending",
              "cost": "0"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "33410");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Queued));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 14, 3, 0, 0, 0, 1, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.Null, "updated_at is not a finish time while the task waits");
        }
    }

    [Test]
    public async Task ReadsAFailureWithItsReason()
    {
        // Arrange
        await AnswerAsync("""
            {
              "id": 33411,
              "created_at": "2026-06-14T11:05:00.250000+08:00",
              "updated_at": "2026-06-14T11:05:31.500000+08:00",
              "cover_url": null,
              "service_output": {
                "imgUrl": null, "imgUrls": null, "videoUrl": null, "taskId": 33411,
                "failReason": "upstream model returned no image", "prompt": null
              },
              "task_status": "failed",
              "cost": "0"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, "33411");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.Null);
            Assert.That(snapshot.Error?.Message, Is.EqualTo("upstream model returned no image"));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 14, 3, 5, 0, 250, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 14, 3, 5, 31, 500, TimeSpan.Zero)));
        }
    }

    [Test]
    public async Task ReadsTheDocumentedErrorBodyOf401()
    {
        // Arrange
        await AnswerAsync("""{"code":401,"msg":"invalid api key"}""", status: 401);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, "33201"));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Provider, Is.EqualTo(Provider.Kexiang));
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Authentication));
            Assert.That(exception.HttpStatus, Is.EqualTo(401));
            Assert.That(exception.ProviderCode, Is.EqualTo("401"));
            Assert.That(exception.Message, Does.Contain("invalid api key"));
        }
    }

    [Test]
    public async Task ABodyWithoutTaskStatusIsAProtocolError()
    {
        // Arrange
        await AnswerAsync("""{"id":33201,"created_at":"2026-06-13T23:14:07.689977+08:00"}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, "33201"));

        // Assert
        Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
    }

    [Test]
    public async Task EscapesTheTaskIdAsOnePathSegment()
    {
        // Arrange
        await AnswerAsync("""{"id":1,"task_status":"pending"}""");

        // Act
        await GetAsync(adapter, "33 201?x");

        // Assert
        var request = await SingleRequestAsync();
        Assert.That(request.Url, Is.EqualTo("/api/v1/user_task/get/passAuth/33%20201%3Fx"));
    }
}
