using AsyncTasks.Generated.Duomi;
using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>Duomi: <c>GET /api/gemini/nano-banana/{id}</c>; the envelope's code is the real outcome, even under HTTP 200.</summary>
[TestFixture]
[Category("Providers")]
internal sealed class DuomiAdapterTests
{
    private const string TaskId = "b2b24d5d-ff10-989c-cf68-a893e7641759";

    private readonly DuomiAdapter adapter = new();

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public void DescribesTheGateway()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(adapter.Provider, Is.EqualTo(Provider.Duomi));
            Assert.That(adapter.DefaultBaseUrl, Is.EqualTo(new Uri("https://duomiapi.com/")));
            Assert.That(adapter.DefaultPollInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(adapter.KeyScheme, Is.EqualTo(new ApiKeyScheme("Authorization", string.Empty)), "the raw key, no Bearer");
        }
    }

    [TestCase("pending", TaskState.Queued)]
    [TestCase("running", TaskState.Running)]
    [TestCase("succeeded", TaskState.Succeeded)]
    [TestCase("error", TaskState.Failed)]
    [TestCase("finished", TaskState.Unknown)]
    [TestCase("3", TaskState.Unknown)]
    [TestCase("Succeeded", TaskState.Unknown)]
    public async Task MapsEveryState(string state, TaskState expected)
    {
        // Arrange
        await AnswerAsync(Envelope($$"""{"task_id":"{{TaskId}}","state":"{{state}}","data":{"images":[{"url":"https://cdn.example.com/0.png"}]},"msg":"","status":"3"}"""));

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(expected));
            Assert.That(snapshot.ProviderState, Is.EqualTo(state), "the raw state is kept");
        }
    }

    [Test]
    public async Task ReadsAFinishedTask()
    {
        // Arrange
        await AnswerAsync("""
            {
              "code": 200,
              "msg": "success",
              "data": {
                "task_id": "b2b24d5d-ff10-989c-cf68-a893e7641759",
                "state": "succeeded",
                "data": {
                  "images": [
                    { "url": "https://files.duomiapi.com/nano-banana/b2b24d5d/0.png", "file_name": "b2b24d5d-0.png" }
                  ],
                  "description": "A fluffy orange cat running through a sunny meadow."
                },
                "create_time": "1767000210",
                "update_time": "1767000231",
                "msg": "",
                "status": "3",
                "action": "generate"
              },
              "exec_time": 0.021,
              "ip": "203.0.113.10"
            }
            """);

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        var request = await SingleRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.Url, Is.EqualTo("/api/gemini/nano-banana/b2b24d5d-ff10-989c-cf68-a893e7641759"));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.ProviderState, Is.EqualTo("succeeded"));
            Assert.That(snapshot.Progress, Is.Null);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 9, 23, 30, TimeSpan.Zero)), "epoch seconds 1767000210");
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 9, 23, 51, TimeSpan.Zero)), "epoch seconds 1767000231");
            Assert.That(snapshot.RequestId, Is.Null);
            Assert.That(
                snapshot.RawResponse!.ToObjectFromJson<System.Text.Json.JsonElement>().GetProperty("data").GetProperty("status").GetString(),
                Is.EqualTo("3"),
                "the answer body is kept; status raw, not interpreted");
            Assert.That(
                snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri, o.IsInline, o.MimeType, o.FileName, o.ExpiresAt)),
                Is.EqualTo(new[]
                {
                    (TaskOutputKind.Image, (string?)"https://files.duomiapi.com/nano-banana/b2b24d5d/0.png", false, (string?)null, (string?)"b2b24d5d-0.png", (DateTimeOffset?)null),
                }));
        }
    }

    [Test]
    public async Task ReadsAPendingTaskWhoseDataIsNull()
    {
        // Arrange
        await AnswerAsync(Envelope("""
            {"task_id":"b2b24d5d-ff10-989c-cf68-a893e7641759","state":"pending","data":null,
             "create_time":"1767000210","update_time":"1767000210","msg":"","status":"1","action":"generate"}
            """));

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Queued));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 9, 23, 30, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.Null, "update_time is not a finish time while the task runs");
        }
    }

    [Test]
    public async Task ReadsARunningTaskWithNoImagesYet()
    {
        // Arrange
        await AnswerAsync(Envelope("""
            {"task_id":"b2b24d5d-ff10-989c-cf68-a893e7641759","state":"running","data":{"images":[],"description":""},
             "create_time":"1767000210","update_time":"1767000215","msg":"","status":"2","action":"generate"}
            """));

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.FinishedAt, Is.Null);
        }
    }

    [Test]
    public async Task ReadsAFailureWithItsReasonFromDataMsg()
    {
        // Arrange
        await AnswerAsync(Envelope("""
            {"task_id":"6c1f0e2a-77d3-4b1e-a9c2-3f5e8d7b6a41","state":"error","data":null,
             "create_time":"1767000300","update_time":"1767000312",
             "msg":"The image could not be generated: content policy violation.","status":"4","action":"edit"}
            """));

        // Act
        var snapshot = await GetAsync(adapter, "6c1f0e2a-77d3-4b1e-a9c2-3f5e8d7b6a41");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.ProviderState, Is.EqualTo("error"));
            Assert.That(snapshot.Error?.Code, Is.Null);
            Assert.That(snapshot.Error?.Message, Is.EqualTo("The image could not be generated: content policy violation."));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.CreatedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 9, 25, 0, TimeSpan.Zero)));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 9, 25, 12, TimeSpan.Zero)));
        }
    }

    [Test]
    public async Task SkipsImagesWithoutAUsableUrl()
    {
        // Arrange
        await AnswerAsync(Envelope("""
            {"task_id":"b2b24d5d-ff10-989c-cf68-a893e7641759","state":"succeeded",
             "data":{"images":[
               {"url":"","file_name":"empty.png"},
               {"file_name":"missing.png"},
               {"url":"not a url","file_name":"bad.png"},
               {"url":"/relative/1.png","file_name":"relative.png"},
               null,
               {"url":"https://files.duomiapi.com/nano-banana/b2b24d5d/1.png","file_name":""}
             ]},
             "create_time":"1767000210","update_time":"1767000231","msg":"","status":"3"}
            """));

        // Act
        var snapshot = await GetAsync(adapter, TaskId);

        // Assert
        Assert.That(
            snapshot.Outputs.Select(o => (o.Kind, o.Url?.AbsoluteUri, o.FileName)),
            Is.EqualTo(new[] { (TaskOutputKind.Image, (string?)"https://files.duomiapi.com/nano-banana/b2b24d5d/1.png", (string?)null) }));
    }

    [TestCase(401, TaskErrorKind.Authentication)]
    [TestCase(403, TaskErrorKind.Authentication)]
    [TestCase(404, TaskErrorKind.NotFound)]
    [TestCase(429, TaskErrorKind.RateLimited)]
    [TestCase(500, TaskErrorKind.Server)]
    [TestCase(503, TaskErrorKind.Server)]
    [TestCase(400, TaskErrorKind.Protocol)]
    [TestCase(1001, TaskErrorKind.Protocol)]
    public async Task AnEnvelopeCodeOtherThan200IsAnErrorEvenUnderHttp200(int code, TaskErrorKind expected)
    {
        // Arrange
        await AnswerAsync($$"""{"code":{{code}},"msg":"Invalid API key","data":null,"exec_time":0.003,"ip":"203.0.113.10"}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Provider, Is.EqualTo(Provider.Duomi));
            Assert.That(exception.Kind, Is.EqualTo(expected));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.ProviderCode, Is.EqualTo(code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(exception.Message, Does.Contain("Invalid API key"));
        }
    }

    [Test]
    public async Task Code200WithoutDataIsAProtocolError()
    {
        // Arrange
        await AnswerAsync("""{"code":200,"msg":"success","data":null}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.Message, Does.Contain("data"));
        }
    }

    [Test]
    public async Task ABodyWithoutTheEnvelopeIsAProtocolError()
    {
        // Arrange: a bare task, as if a proxy had unwrapped the envelope.
        await AnswerAsync($$"""{"task_id":"{{TaskId}}","state":"succeeded"}""");

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
    }

    [Test]
    public async Task AnHttpErrorCarryingTheEnvelopeReportsItsCodeAndMsg()
    {
        // Arrange
        await AnswerAsync("""{"code":503,"msg":"upstream busy","data":null}""", status: 503);

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => GetAsync(adapter, TaskId));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Server));
            Assert.That(exception.HttpStatus, Is.EqualTo(503));
            Assert.That(exception.ProviderCode, Is.EqualTo("503"));
            Assert.That(exception.Message, Does.Contain("upstream busy"));
        }
    }

    [Test]
    public async Task EscapesTheTaskIdAsOnePathSegment()
    {
        // Arrange
        await AnswerAsync(Envelope("""{"task_id":"x","state":"pending"}"""));

        // Act
        await GetAsync(adapter, "a b?c#d");

        // Assert
        var request = await SingleRequestAsync();
        Assert.That(request.Url, Is.EqualTo("/api/gemini/nano-banana/a%20b%3Fc%23d"));
    }

    private static string Envelope(string task) =>
        $$"""{"code":200,"msg":"success","data":{{task}},"exec_time":0.012,"ip":"203.0.113.10"}""";
}
