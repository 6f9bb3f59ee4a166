using AsyncTasks.Tests.Infrastructure.WireMock;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Edges of downloads and of the handler chain every request goes through: the key on a download from the provider's
/// own origin, answers between 300 and 400, redirects that change scheme, the download log line, the exact refusal of
/// an output without a task, no cookies kept, the library's version in the User-Agent, and a base URL with a path.
/// </summary>
[TestFixture]
internal sealed class DownloadAndPipelineEdgeTests : ClientTestBase
{
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 13))];

    [TestCaseSource(typeof(ProviderCase), nameof(ProviderCase.All))]
    public async Task ADownloadFromTheProvidersOwnOriginCarriesThatProvidersKey(ProviderCase provider)
    {
        // Arrange
        var output = await OutputAtAsync(provider, "files/own.bin", WireMockResponse.Binary(200, Payload));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        await Within(client.DownloadAsync(output, destination));

        // Assert
        var download = (await Server.GetRequestsAsync()).Single(r => r.Path == "/files/own.bin");
        Assert.That(download.Header(provider.KeyHeader), Is.EqualTo(provider.KeyPrefix + provider.ApiKey));
    }

    [TestCase(300)]
    [TestCase(304)]
    [TestCase(399)]
    public async Task AnAnswerBetween300And399ThatIsNotFollowedIsAProtocolError(int status)
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Mountsea, "files/choices.bin", WireMockResponse.WithStatus(status));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(status));
            Assert.That(exception.Provider, Is.EqualTo(Provider.Mountsea));
            Assert.That(exception.Message, Does.Contain($"the download answered HTTP {status}, a redirect that is not followed"));
            Assert.That(exception.InnerException, Is.Null);
            Assert.That(destination.Length, Is.Zero);
        }
    }

    [Test]
    public async Task A400IsTheAnswersOwnErrorNotARedirect()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Duomi, "files/bad.bin", WireMockResponse.WithStatus(400));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(400));
            Assert.That(exception.Message, Does.Contain("the download answered HTTP 400").And.Not.Contain("redirect"));
        }
    }

    private static IEnumerable<TestCaseData> RefusedRedirects() =>
    [
        new TestCaseData("none", "without a location").SetArgDisplayNames("no location"),
        new TestCaseData("https", "to another scheme").SetArgDisplayNames("http to https"),
    ];

    [TestCaseSource(nameof(RefusedRedirects))]
    public async Task ADownloadRedirectThatIsNotFollowedSaysWhy(string target, string why)
    {
        // Arrange: a 302 without a Location, or to the same server under https (which it does not speak).
        var output = await OutputAtAsync(ProviderCase.Kexiang, "files/moved.bin", RefusedRedirect(target));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Provider, Is.EqualTo(Provider.Kexiang));
            Assert.That(exception.HttpStatus, Is.Null);
            Assert.That(exception.Message, Does.Contain("the download was redirected " + why + " ("));
            Assert.That(exception.InnerException, Is.InstanceOf<InvalidOperationException>());
            Assert.That((await Server.GetRequestsAsync()).Count(r => r.Path == "/files/moved.bin"), Is.EqualTo(1), "sent once, not retried");
            Assert.That(destination.Length, Is.Zero);
        }
    }

    [TestCaseSource(nameof(RefusedRedirects))]
    public async Task AnApiRedirectThatIsNotFollowedSaysWhy(string target, string why)
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, RefusedRedirect(target));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.Message, Does.Contain("the API redirected " + why + " ("));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(1), "not retried");
        }
    }

    [Test]
    public async Task AConnectionBrokenMidBodyIsATransportErrorWithTheStatusThatArrived()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Duomi, "files/broken.bin", WireMockResponse.FromFault(WireMockFault.MalformedResponseChunk));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, destination)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Transport));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.Message, Does.Contain("the connection broke during the download"));
        }
    }

    [Test]
    public async Task ADownloadFromAPortNobodyListensOnIsATransportError()
    {
        // Arrange: a port that was free a moment ago; no retries, so nothing waits on the clock.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = ProviderCase.Mountsea;
        await StubReadAsync(provider, Ok(provider.SucceededBody($"http://127.0.0.1:{port}/gone.mp4")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, Stream.Null)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Transport));
            Assert.That(exception.HttpStatus, Is.Null);
            Assert.That(exception.Message, Does.Contain("the download failed without a usable response"));
            Assert.That(exception.InnerException, Is.InstanceOf<HttpRequestException>());
        }
    }

    [Test]
    public async Task ADownloadWhoseHeadersDoNotArriveInTheRequestTimeoutIsATimeout()
    {
        // Arrange: headers held back 5 s; RequestTimeout 300 ms (real time, like HttpClient.Timeout); no retries.
        var output = await OutputAtAsync(ProviderCase.Kexiang, "files/slow.bin", WireMockResponse.Binary(200, Payload).WithFixedDelay(TimeSpan.FromSeconds(5)));
        var client = CreateClient(CreateOptions(o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
            o.Retry.MaxRetries = 0;
        }));

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.DownloadAsync(output, Stream.Null)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Timeout));
            Assert.That(exception.HttpStatus, Is.Null);
            Assert.That(exception.Message, Does.Contain("the download request timed out"));
        }
    }

    [TestCase(100, 100, true)]
    [TestCase(101, 100, false)]
    public async Task AContentLengthIsCheckedAgainstTheLimitBeforeAnyByteIsRead(int declared, int limit, bool accepted)
    {
        // Arrange: a server that announces the length and sends exactly its first 100 bytes (then nothing more).
        using var server = new StallingServer(declaredLength: declared, sentBytes: 100);
        var provider = ProviderCase.TencentVod;
        await StubReadAsync(provider, Ok(provider.SucceededBody(server.Url.AbsoluteUri)));
        var client = CreateClient(CreateOptions(o =>
        {
            o.MaxDownloadBytes = limit;
            o.RequestTimeout = TimeSpan.FromSeconds(2);
        }));
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        var download = Within(client.DownloadAsync(output, destination));

        // Assert
        if (accepted)
        {
            Assert.That(await download, Is.EqualTo(100));
            return;
        }

        var exception = Assert.ThrowsAsync<TaskClientException>(() => download);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Protocol));
            Assert.That(exception.HttpStatus, Is.EqualTo(200));
            Assert.That(exception.Provider, Is.EqualTo(Provider.TencentVod));
            Assert.That(exception.Message, Does.Contain("the output is larger than the download limit of 100 bytes (MaxDownloadBytes)"));
            Assert.That(destination.Length, Is.Zero);
        }
    }

    [Test]
    public async Task AnInlineOutputIsLoggedWithItsSizeAndKind()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        var body = "{\"name\":\"" + provider.TaskId + "\",\"done\":true,\"response\":{\"generatedVideos\":[{\"videoBytes\":\""
            + Convert.ToBase64String(Payload) + "\",\"mimeType\":\"video/mp4\"}]}}";
        await StubReadAsync(provider, Ok(body));
        var client = CreateClient();
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        await Within(client.DownloadAsync(output, destination));

        // Assert
        Assert.That(Downloads(), Is.EqualTo(new[] { $"Downloaded {Payload.Length} bytes of a Video output" }));
    }

    [Test]
    public async Task AUrlDownloadIsLoggedWithTheBytesWritten()
    {
        // Arrange
        var output = await OutputAtAsync(ProviderCase.Duomi, "files/logged.png", WireMockResponse.Binary(200, Payload, "image/png"));
        var client = CreateClient();
        using var destination = new MemoryStream();

        // Act
        await Within(client.DownloadAsync(output, destination));

        // Assert
        Assert.That(Downloads(), Is.EqualTo(new[] { $"Downloaded {Payload.Length} bytes of a Image output" }));
    }

    [Test]
    public void AnOutputWithoutATaskIsRefusedWithTheWayToBuildOne()
    {
        // Arrange
        var client = CreateClient();
        var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri(BaseUri, "files/x.png"));

        // Act
        var exception = Assert.ThrowsAsync<ArgumentException>(() => Within(client.DownloadAsync(output, Stream.Null)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ParamName, Is.EqualTo("output"));
            Assert.That(
                exception.Message,
                Does.StartWith("The output belongs to no task; build it through a snapshot (AsyncTasksModelFactory.TaskSnapshot)."));
        }
    }

    [Test]
    public async Task CookiesSetByAnAnswerAreNotSentBack()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()).WithHeader("Set-Cookie", "session=abc123; Path=/"));
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(provider.Task));
        await Within(client.GetAsync(provider.Task));

        // Assert
        var reads = await ReadsAsync(provider);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reads, Has.Count.EqualTo(2));
            Assert.That(reads.Select(r => r.Header("Cookie")), Has.All.Null);
        }
    }

    [Test]
    public async Task TheUserAgentCarriesTheLibrarysVersion()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        var version = typeof(TaskClient).Assembly.GetName().Version!.ToString(3);

        // Act
        await Within(client.GetAsync(provider.Task));

        // Assert
        var agent = (await ReadsAsync(provider)).Single().Header("User-Agent");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(version, Is.Not.EqualTo("0.0.0"), "premise: the assembly has a version");
            Assert.That(agent, Does.Contain("AsyncTasks/" + version));
        }
    }

    [Test]
    public async Task ABaseUrlWithAPathAndNoTrailingSlashKeepsItsPath()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await Server.AddStubAsync(WireMockStub.ForUrl(HttpMethod.Get, "/gw" + provider.UrlOf()).RespondingWith(Ok(provider.RunningBody())));
        var client = CreateClient(CreateOptions(o => o.For(provider.Provider).BaseUrl = new Uri(BaseUri, "gw")));

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That((await Server.GetRequestsAsync()).Select(r => r.Path), Is.EqualTo(new[] { "/gw" + provider.PathOf() }));
        }
    }

    private WireMockResponse RefusedRedirect(string target) => target == "none"
        ? WireMockResponse.WithStatus(302)
        : WireMockResponse.Redirect(new UriBuilder(BaseUri) { Scheme = Uri.UriSchemeHttps, Port = Server.Port, Path = "/files/x.bin" }.Uri.AbsoluteUri);

    private List<string> Downloads() =>
        [.. Logs.GetSnapshot().Where(e => e.Id.Id == 6 && e.Level == LogLevel.Debug).Select(e => e.Message)];

    /// <summary>Stubs the provider's task as succeeded with one output at <paramref name="relative"/>, served by <paramref name="file"/>; returns that output.</summary>
    private async Task<TaskOutput> OutputAtAsync(ProviderCase provider, string relative, WireMockResponse file)
    {
        var url = new Uri(BaseUri, relative);
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/" + relative).RespondingWith(file));
        using var reader = new TaskClient(CreateOptions(), timeProvider: Clock);
        return (await Within(reader.GetAsync(provider.Task))).Outputs.Single();
    }
}
