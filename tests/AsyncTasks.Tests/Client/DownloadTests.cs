using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="ITaskClient.DownloadAsync"/>: URL outputs streamed byte-exact to a stream or a file, the size cap
/// enforced with and without Content-Length, inline outputs written directly, other schemes refused, HTTP errors typed.
/// </summary>
[TestFixture]
internal sealed class DownloadTests : ClientTestBase
{
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 5000).Select(i => (byte)((i * 7) + (i >> 8)))];

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public async Task AUrlOutputIsStreamedWithExactBytes(ProviderCase provider)
    {
        // Arrange
        var output = await OutputAtAsync(provider, "files/result.bin", WireMockResponse.Binary(200, Payload));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(output, destination));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(Payload.Length));
            Assert.That(destination.ToArray(), Is.EqualTo(Payload));
        }
    }

    [Test]
    public async Task AUrlOutputCanBeWrittenToAFile()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Duomi, "files/picture.png", WireMockResponse.Binary(200, Payload, "image/png"));
        var client = CreateClient();
        var path = Path.Combine(Path.GetTempPath(), "asynctasks-download-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            // Act
            long written;
            await using (var file = File.Create(path))
            {
                written = await Within(client.DownloadAsync(output, file));
            }

            // Assert
            using (Assert.EnterMultipleScope())
            {
                Assert.That(written, Is.EqualTo(Payload.Length));
                Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(Payload));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ABodyOverTheLimitWithContentLengthFailsBeforeWriting()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Kexiang, "files/big.bin", WireMockResponse.Binary(200, Payload));
        var client = CreateClient(CreateOptions(o => o.MaxDownloadBytes = 1024));
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Provider, Is.EqualTo(Provider.Kexiang));
            Assert.That(exception.Message, Does.Contain("MaxDownloadBytes").And.Contain("1024"));
            Assert.That(destination.Length, Is.Zero, "refused from Content-Length alone");
        }
    }

    [Test]
    public async Task ABodyOverTheLimitWithoutContentLengthFailsOnceTheLimitIsPassed()
    {
        // Arrange: chunked, so the size is known only while reading.
        var provider = ProviderCase.Mountsea;
        var url = new Uri(BaseUri, "files/chunked.bin");
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        await Server.AddChunkedStubAsync(WireMockStub.Get("/files/chunked.bin").RespondingWith(WireMockResponse.Binary(200, Payload)));
        await AssertChunkedAsync(url);
        var client = CreateClient(CreateOptions(o => o.MaxDownloadBytes = 1024));
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Message, Does.Contain("MaxDownloadBytes"));
            Assert.That(destination.Length, Is.LessThanOrEqualTo(1024), "never more than the limit written");
        }
    }

    [Test]
    public async Task ABodyAtTheLimitIsAccepted()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Duomi, "files/exact.bin", WireMockResponse.Binary(200, Payload));
        var client = CreateClient(CreateOptions(o => o.MaxDownloadBytes = Payload.Length));
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(output, destination));

        // Assert
        Assert.That(written, Is.EqualTo(Payload.Length));
    }

    [Test]
    public async Task AnInlineOutputIsWrittenDirectlyWithoutARequest()
    {
        // Arrange: a Veo operation returning the video bytes inline (base64).
        var provider = ProviderCase.SkyEngine;
        var body = "{\"name\":\"" + provider.TaskId + "\",\"done\":true,\"response\":{\"generatedVideos\":[{\"videoBytes\":\""
            + Convert.ToBase64String(Payload) + "\",\"mimeType\":\"video/mp4\"}]}}";
        await StubReadAsync(provider, Ok(body));
        var client = CreateClient();
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(output, destination));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.IsInline, Is.True);
            Assert.That(output.MimeType, Is.EqualTo("video/mp4"));
            Assert.That(written, Is.EqualTo(Payload.Length));
            Assert.That(destination.ToArray(), Is.EqualTo(Payload));
            Assert.That(await Server.GetRequestsAsync(), Has.Count.EqualTo(1), "only the task read");
        }
    }

    [Test]
    public async Task AGsOutputIsNotSupported()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        var body = "{\"name\":\"" + provider.TaskId + "\",\"done\":true,\"response\":{\"videos\":[{\"gcsUri\":\"gs://bucket/video.mp4\",\"mimeType\":\"video/mp4\"}]}}";
        await StubReadAsync(provider, Ok(body));
        var client = CreateClient();
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<NotSupportedException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.Url?.Scheme, Is.EqualTo("gs"));
            Assert.That(exception.Message, Does.Contain("gs://"));
            Assert.That(await Server.GetRequestsAsync(), Has.Count.EqualTo(1));
        }
    }

    [TestCase(404, TaskErrorKind.NotFound)]
    [TestCase(403, TaskErrorKind.Authentication)]
    public async Task AnHttpErrorIsTyped(int status, TaskErrorKind kind)
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.TencentVod, "files/gone.png", WireMockResponse.Json(status, "{}"));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(kind));
            Assert.That(exception.HttpStatus, Is.EqualTo(status));
            Assert.That(exception.Provider, Is.EqualTo(Provider.TencentVod));
            Assert.That(exception.Message, Does.Contain($"the download answered HTTP {status}"));
            Assert.That((await Server.GetRequestsAsync()).Count(r => r.Path == "/files/gone.png"), Is.EqualTo(1), "not retried");
        }
    }

    [Test]
    public async Task ADownloadRedirectedInALoopIsAProtocolErrorAfterTheRedirectLimit()
    {
        // Arrange: the file redirects to itself.
        var output = await OutputAtAsync(ProviderCase.Kexiang, "files/loop.png", WireMockResponse.Redirect(new Uri(BaseUri, "files/loop.png").AbsoluteUri));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.Null);
            Assert.That(exception.Message, Does.Contain("the download was redirected more than 5 times"));
            Assert.That(exception.InnerException, Is.InstanceOf<InvalidOperationException>());
            Assert.That((await Server.GetRequestsAsync()).Count(r => r.Path == "/files/loop.png"), Is.EqualTo(6), "the request and five redirects");
            Assert.That(destination.Length, Is.Zero);
        }
    }

    [Test]
    public async Task AServerErrorIsRetriedOnTheFakeClock()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        var url = new Uri(BaseUri, "files/flaky.png");
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/flaky.png").InScenario("flaky", WireMockStub.ScenarioStarted, "ok").RespondingWith(WireMockResponse.Json(503, "{}")));
        await Server.AddStubAsync(WireMockStub.Get("/files/flaky.png").InScenario("flaky", "ok").RespondingWith(WireMockResponse.Binary(200, Payload)));
        var client = CreateClient();
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(output, destination));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(Payload.Length));
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task AConnectionBrokenMidBodyIsATransportError()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Duomi, "files/broken.bin", WireMockResponse.FromFault(WireMockFault.MalformedResponseChunk));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Transport));
    }

    [Test]
    public async Task ADownloadThatStallsMidBodyEndsWithATimeout()
    {
        // Arrange: headers and 100 of 5000 bytes arrive at once, then nothing; RequestTimeout is 1 s.
        using var stalling = new StallingServer(declaredLength: 5000, sentBytes: 100);
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.SucceededBody(stalling.Url.AbsoluteUri)));
        var client = CreateClient(CreateOptions(o => o.RequestTimeout = TimeSpan.FromSeconds(1)));
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Timeout));
            Assert.That(exception.Message, Does.Contain("stalled"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)));
            Assert.That(destination.Length, Is.EqualTo(100));
        }
    }

    [Test]
    public async Task AnOutputBuiltByTheModelFactoryWithoutASnapshotIsRefused()
    {
        // Arrange
        var client = CreateClient();
        var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri(BaseUri, "files/x.png"));
        using var destination = new MemoryStream();

        // Act, Assert
        Assert.ThrowsAsync<ArgumentException>(() => Within(client.DownloadAsync(output, destination)));
        Assert.That(await Server.GetRequestsAsync(), Is.Empty);
    }

    /// <summary>Stubs the provider's task as succeeded with one output at <paramref name="relative"/>, served by <paramref name="file"/>; returns that output.</summary>
    private async Task<TaskOutput> OutputAtAsync(ProviderCase provider, string relative, WireMockResponse file)
    {
        var url = new Uri(BaseUri, relative);
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/" + relative).RespondingWith(file));
        using var reader = new TaskClient(CreateOptions(), timeProvider: Clock);
        return (await Within(reader.GetAsync(provider.Task))).Outputs.Single();
    }

    /// <summary>Checks the premise of a test: the server really sends the body without Content-Length.</summary>
    private async Task AssertChunkedAsync(Uri url)
    {
        using var http = Server.CreateHttpClient(TimeSpan.FromSeconds(10));
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentLength, Is.Null, "premise: chunked, no Content-Length");
    }
}
