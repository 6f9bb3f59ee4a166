using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// SkyEngine: a Veo long-running operation. The task id is the full operation name, split into five path
/// segments; a result is accepted in all four shapes Google's Veo APIs use.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class SkyEngineAdapterTests
{
    private const string OperationName =
        "projects/my-project/locations/us-central1/publishers/google/models/veo-3.1-generate-preview/operations/4f1d2a3b-0c9e-4e7a-8b6d-5a4c3b2a1f0e";

    private const string OperationPath =
        "/v1beta/projects/my-project/locations/us-central1/publishers/google/models/veo-3.1-generate-preview/operations/4f1d2a3b-0c9e-4e7a-8b6d-5a4c3b2a1f0e";

    // The Vertex example's inline video: "AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t" decoded (the start of an MP4 ftyp box).
    private static readonly byte[] InlineVideo =
        [0, 0, 0, 24, 102, 116, 121, 112, 109, 112, 52, 50, 0, 0, 0, 0, 109, 112, 52, 50, 105, 115, 111, 109];

    private readonly SkyEngineAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public void DescribesTheGateway()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(adapter.Provider, Is.EqualTo(Provider.SkyEngine));
            Assert.That(adapter.DefaultBaseUrl, Is.EqualTo(new Uri("https://model-api.skyengine.com.cn/")));
            Assert.That(adapter.DefaultPollInterval, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(adapter.KeyScheme, Is.EqualTo(new ApiKeyScheme("Authorization", "Bearer ")));
        }
    }

    [Test]
    public async Task SendsTheFiveSegmentsOfTheOperationName()
    {
        // Arrange
        await AnswerAsync($$"""{"name":"{{OperationName}}","done":false}""");

        // Act
        await GetAsync(adapter, OperationName);

        // Assert
        var request = await SingleRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Url, Is.EqualTo(OperationPath));
        }
    }

    [Test]
    public async Task EscapesEachSegmentOnItsOwn()
    {
        // Arrange
        await AnswerAsync("""{"done":false}""");

        // Act
        await GetAsync(adapter, "projects/my project/locations/us-central1/publishers/google/models/veo:3?x/operations/op#1");

        // Assert
        var request = await SingleRequestAsync();
        Assert.That(
            request.Url,
            Is.EqualTo("/v1beta/projects/my%20project/locations/us-central1/publishers/google/models/veo%3A3%3Fx/operations/op%231"));
    }

    [TestCase("4f1d2a3b-0c9e-4e7a-8b6d-5a4c3b2a1f0e", TestName = "{m}(a bare operation id)")]
    [TestCase("models/veo-3.1-generate-preview/operations/4f1d2a3b", TestName = "{m}(a Gemini API operation name)")]
    [TestCase("/projects/p/locations/l/publishers/google/models/m/operations/1", TestName = "{m}(a leading slash)")]
    [TestCase("v1beta/projects/p/locations/l/publishers/google/models/m/operations/1", TestName = "{m}(the path rather than the name)")]
    [TestCase("projects/p/locations/l/publishers/google/models/m/operations/", TestName = "{m}(an empty operation id)")]
    [TestCase("projects//locations/l/publishers/google/models/m/operations/1", TestName = "{m}(an empty project)")]
    [TestCase("projects/p/locations/l/publishers/google/models/m/operations/1/extra", TestName = "{m}(a trailing segment)")]
    [TestCase("projects/p/locations/l/publishers/google/models/m/operation/1", TestName = "{m}(a misspelt collection)")]
    [TestCase("projects/p/locations/l/publishers/google/models/../operations/1", TestName = "{m}(a dot-dot segment)")]
    [TestCase("projects/p/locations/l/publishers/google/models/m/operations/ 1", TestName = "{m}(a segment with surrounding space)")]
    public async Task AnIdThatIsNotAFullOperationNameIsTheCallersMistake(string id)
    {
        // Arrange
        await AnswerAsync("""{"done":false}""");

        // Act
        var exception = Assert.ThrowsAsync<ArgumentException>(() => GetAsync(adapter, id));

        // Assert
        var journal = await JournalAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Does.Contain(SkyEngineAdapter.OperationNameForm));
            Assert.That(exception.Message, Does.Contain(id));
            Assert.That(journal, Is.Empty, "nothing may be sent for an invalid id");
        }
    }

    [TestCase("""{"name":"n","done":false,"metadata":{"@type":"type.googleapis.com/google.cloud.aiplatform.v1.GenerateVideoOperationMetadata"}}""", TestName = "{m}(done false)")]
    [TestCase("""{"name":"n"}""", TestName = "{m}(done absent)")]
    [TestCase("""{"name":"n","done":false,"error":{"code":3,"message":"not yet final"}}""", TestName = "{m}(done false beside an error)")]
    public async Task AnOperationNotDoneIsRunning(string body)
    {
        // Arrange
        await AnswerAsync(body);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(snapshot.ProviderState, Is.EqualTo("running"));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.Progress, Is.Null);
            Assert.That(snapshot.RawResponse!.ToObjectFromJson<System.Text.Json.JsonElement>().GetProperty("name").GetString(), Is.EqualTo("n"), "the answer body");
        }
    }

    [Test]
    public async Task ReadsThePagesFlatShape()
    {
        // Arrange
        await AnswerAsync($$"""
            {
              "name": "{{OperationName}}",
              "done": true,
              "response": {
                "generatedVideos": [
                  { "uri": "https://storage.skyengine.com.cn/generated-videos/video-123.mp4", "mimeType": "video/mp4", "createTime": "2026-02-01T10:00:00Z" }
                ]
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.ProviderState, Is.EqualTo("done"));
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.Task, Is.EqualTo(new TaskRef(Provider.SkyEngine, OperationName)));
            AssertUrlOutputs(snapshot, ("https://storage.skyengine.com.cn/generated-videos/video-123.mp4", "video/mp4"));
        }
    }

    [Test]
    public async Task ReadsTheGenAiSdkShape()
    {
        // Arrange
        await AnswerAsync("""
            {
              "name": "n",
              "done": true,
              "response": {
                "generatedVideos": [
                  { "video": { "uri": "https://storage.skyengine.com.cn/generated-videos/video-456.mp4", "mimeType": "video/mp4" } },
                  { "video": { "videoBytes": "AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t", "mimeType": "video/mp4" } }
                ]
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
        Assert.That(snapshot.Outputs, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            AssertUrlOutput(snapshot.Outputs[0], "https://storage.skyengine.com.cn/generated-videos/video-456.mp4", "video/mp4");
            AssertInlineOutput(snapshot.Outputs[1], InlineVideo, "video/mp4");
        }
    }

    [Test]
    public async Task ReadsTheVertexShapeWithAGcsUriAndInlineBytes()
    {
        // Arrange
        await AnswerAsync("""
            {
              "name": "n",
              "done": true,
              "response": {
                "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                "raiMediaFilteredCount": 0,
                "videos": [
                  { "gcsUri": "gs://my-bucket/generated-videos/sample_0.mp4", "mimeType": "video/mp4" },
                  { "bytesBase64Encoded": "AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t", "mimeType": "video/mp4" }
                ]
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
        Assert.That(snapshot.Outputs, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            AssertUrlOutput(snapshot.Outputs[0], "gs://my-bucket/generated-videos/sample_0.mp4", "video/mp4");
            Assert.That(snapshot.Outputs[0].Url!.Scheme, Is.EqualTo("gs"));
            AssertInlineOutput(snapshot.Outputs[1], InlineVideo, "video/mp4");
        }
    }

    [Test]
    public async Task ReadsTheGeminiApiShape()
    {
        // Arrange
        await AnswerAsync("""
            {
              "name": "models/veo-3.1-generate-preview/operations/4f1d2a3b-0c9e-4e7a-8b6d-5a4c3b2a1f0e",
              "done": true,
              "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                "generateVideoResponse": {
                  "generatedSamples": [
                    { "video": { "uri": "https://generativelanguage.googleapis.com/v1beta/files/abc123:download?alt=media" } }
                  ]
                }
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            AssertUrlOutputs(snapshot, ("https://generativelanguage.googleapis.com/v1beta/files/abc123:download?alt=media", null));
        }
    }

    [Test]
    public async Task ReadsAFlatInlineVideo()
    {
        // Arrange
        await AnswerAsync("""{"done":true,"response":{"generatedVideos":[{"videoBytes":"AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t","mimeType":"video/mp4"}]}}""");

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        Assert.That(snapshot.Outputs, Has.Count.EqualTo(1));
        AssertInlineOutput(snapshot.Outputs[0], InlineVideo, "video/mp4");
    }

    [Test]
    public async Task DoneWithAnErrorIsAFailureWithTheNumericCodeAsText()
    {
        // Arrange
        await AnswerAsync($$"""
            {
              "name": "{{OperationName}}",
              "done": true,
              "error": { "code": 3, "message": "The prompt could not be processed.", "details": [ { "@type": "type.googleapis.com/google.rpc.BadRequest" } ] }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.ProviderState, Is.EqualTo("done"));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("3"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("The prompt could not be processed."));
            Assert.That(snapshot.Outputs, Is.Empty);
        }
    }

    [Test]
    public async Task DoneWithEveryVideoFilteredIsContentFiltered()
    {
        // Arrange
        await AnswerAsync("""
            {
              "name": "n",
              "done": true,
              "response": {
                "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                "raiMediaFilteredCount": 2,
                "raiMediaFilteredReasons": [
                  "The video could not be generated because it may violate the usage guidelines.",
                  "A person's likeness was detected."
                ]
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("content_filtered"));
            Assert.That(
                snapshot.Error?.Message,
                Is.EqualTo("The video could not be generated because it may violate the usage guidelines.; A person's likeness was detected."));
        }
    }

    [Test]
    public async Task ReadsTheFilterOfTheGeminiShape()
    {
        // Arrange
        await AnswerAsync("""
            {
              "done": true,
              "response": {
                "generateVideoResponse": {
                  "generatedSamples": [],
                  "raiMediaFilteredCount": 1,
                  "raiMediaFilteredReasons": ["Unsafe content."]
                }
              }
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("content_filtered"));
            Assert.That(snapshot.Error?.Message, Is.EqualTo("Unsafe content."));
        }
    }

    [TestCase("""{"done":true,"response":{"generatedVideos":[]}}""", TestName = "{m}(an empty list)")]
    [TestCase("""{"done":true,"response":{"raiMediaFilteredCount":0}}""", TestName = "{m}(no list, nothing filtered)")]
    [TestCase("""{"done":true}""", TestName = "{m}(no response at all)")]
    [TestCase("""{"done":true,"response":{"generatedVideos":[{"mimeType":"video/mp4"}],"videos":[{"gcsUri":""}]}}""", TestName = "{m}(videos without uri or bytes)")]
    public async Task DoneWithoutAVideoOrAReasonIsAnEmptyResult(string body)
    {
        // Arrange
        await AnswerAsync(body);

        // Act
        var snapshot = await GetAsync(adapter, OperationName);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.ProviderState, Is.EqualTo("done"));
            Assert.That(snapshot.Error?.Code, Is.EqualTo("empty_result"));
            Assert.That(snapshot.Outputs, Is.Empty);
        }
    }

    [TestCase(400, 2001, TaskErrorKind.Protocol)]
    [TestCase(401, 2101, TaskErrorKind.Authentication)]
    [TestCase(403, 2103, TaskErrorKind.Authentication)]
    [TestCase(424, 2002, TaskErrorKind.Server)]
    [TestCase(429, 2007, TaskErrorKind.RateLimited)]
    public async Task ReadsTheErrorTableOfAnHttpError(int status, int code, TaskErrorKind expected)
    {
        // Arrange
        await AnswerAsync($$"""{"error":{"code":{{code}},"message":"Gateway says no.","details":[]} }""", status);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, OperationName));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Provider, Is.EqualTo(Provider.SkyEngine));
            Assert.That(exception.Kind, Is.EqualTo(expected));
            Assert.That(exception.HttpStatus, Is.EqualTo(status));
            Assert.That(exception.ProviderCode, Is.EqualTo(code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(exception.Message, Does.Contain("Gateway says no."));
        }
    }

    private static void AssertUrlOutputs(TaskSnapshot snapshot, params (string Url, string? MimeType)[] expected) =>
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, Url: o.Url?.OriginalString, o.IsInline, o.MimeType, o.FileName, o.ExpiresAt)),
            Is.EqualTo(expected.Select(e => (TaskOutputKind.Video, Url: (string?)e.Url, IsInline: false, e.MimeType, FileName: (string?)null, ExpiresAt: (DateTimeOffset?)null))));

    private static void AssertUrlOutput(TaskOutput output, string url, string? mimeType) =>
        Assert.That(
            (output.Kind, Url: output.Url?.OriginalString, output.IsInline, output.MimeType),
            Is.EqualTo((TaskOutputKind.Video, (string?)url, false, mimeType)));

    private static void AssertInlineOutput(TaskOutput output, byte[] bytes, string? mimeType)
    {
        Assert.That(output.Kind, Is.EqualTo(TaskOutputKind.Video));
        Assert.That(output.IsInline, Is.True);
        Assert.That(output.Url, Is.Null);
        Assert.That(output.InlineData!.Value.ToArray(), Is.EqualTo(bytes));
        Assert.That(output.MimeType, Is.EqualTo(mimeType));
    }
}
