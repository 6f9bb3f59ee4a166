using System.Diagnostics;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Infrastructure.Tests;

/// <summary>The WireMock fixture itself: stubs, journal, scenarios, faults, delays and redirects.</summary>
[TestFixture]
internal sealed class WireMockServerTests
{
    private static readonly string[] TraceValues = ["a", "b"];

    private WireMockServer server = null!;
    private HttpClient http = null!;

    [SetUp]
    public async Task ResetServer()
    {
        server = WireMockServer.Shared;
        await server.ResetAsync();
        http = server.CreateHttpClient(TimeSpan.FromSeconds(10));
    }

    [TearDown]
    public void DisposeClient() => http.Dispose();

    [Test]
    public void BaseUriIsLoopbackAndEndsWithSlash()
    {
        // Arrange, Act
        var baseUri = server.BaseUri;

        // Assert
        Assert.That(baseUri.ToString(), Does.StartWith("http://127.0.0.1:").And.EndWith("/"));
    }

    [Test]
    public async Task StubMatchesPathQueryAndHeaderAndJournalRecordsEveryRequest()
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/v1/tasks/a%20b")
            .WithQueryParameter("lang", "zh+en")
            .WithHeader("Authorization", "Bearer k")
            .RespondingWith(WireMockResponse.Json(200, """{"ok":true}""")));
        using var matching = new HttpRequestMessage(HttpMethod.Get, "v1/tasks/a%20b?lang=zh%2Ben");
        matching.Headers.TryAddWithoutValidation("Authorization", "Bearer k");

        // Act
        using var hit = await http.SendAsync(matching);
        using var miss = await http.GetAsync(new Uri("v1/tasks/a%20b?lang=zh%2Ben", UriKind.Relative));
        var journal = await server.GetRequestsAsync();
        var unmatched = await server.GetUnmatchedRequestsAsync();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)hit.StatusCode, Is.EqualTo(200));
            Assert.That(await hit.Content.ReadAsStringAsync(), Is.EqualTo("""{"ok":true}"""));
            Assert.That(hit.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((int)miss.StatusCode, Is.EqualTo(404));
            Assert.That(journal, Has.Count.EqualTo(2));
            Assert.That(journal[0].Url, Is.EqualTo("/v1/tasks/a%20b?lang=zh%2Ben"), "the journal keeps the URL as encoded on the wire");
            Assert.That(journal[0].Path, Is.EqualTo("/v1/tasks/a%20b"));
            Assert.That(journal[0].Query, Is.EqualTo("lang=zh%2Ben"));
            Assert.That(journal[0].Header("authorization"), Is.EqualTo("Bearer k"));
            Assert.That(journal[0].WasMatched, Is.True);
            Assert.That(journal[1].WasMatched, Is.False);
            Assert.That(unmatched, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task ResetRemovesStubsAndJournal()
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/x"));
        using (await http.GetAsync(new Uri("x", UriKind.Relative)))
        {
        }

        // Act
        await server.ResetAsync();
        using var after = await http.GetAsync(new Uri("x", UriKind.Relative));
        var journal = await server.GetRequestsAsync();

        // Assert
        Assert.That((int)after.StatusCode, Is.EqualTo(404));
        Assert.That(journal, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ScenarioMovesThroughItsStates()
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/poll")
            .InScenario("polling", WireMockStub.ScenarioStarted, "finished")
            .RespondingWith(WireMockResponse.Json(200, """{"status":"running"}""")));
        await server.AddStubAsync(WireMockStub.Get("/poll")
            .InScenario("polling", "finished")
            .RespondingWith(WireMockResponse.Json(200, """{"status":"done"}""")));

        // Act
        var first = await http.GetStringAsync(new Uri("poll", UriKind.Relative));
        var second = await http.GetStringAsync(new Uri("poll", UriKind.Relative));
        var state = await server.GetScenarioStateAsync("polling");
        await server.SetScenarioStateAsync("polling", WireMockStub.ScenarioStarted);
        var afterSet = await http.GetStringAsync(new Uri("poll", UriKind.Relative));
        await server.ResetScenariosAsync();
        var stateAfterReset = await server.GetScenarioStateAsync("polling");

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Does.Contain("running"));
            Assert.That(second, Does.Contain("done"));
            Assert.That(state, Is.EqualTo("finished"));
            Assert.That(afterSet, Does.Contain("running"));
            Assert.That(stateAfterReset, Is.EqualTo(WireMockStub.ScenarioStarted));
        }
    }

    [TestCase(WireMockFault.ConnectionResetByPeer)]
    [TestCase(WireMockFault.EmptyResponse)]
    [TestCase(WireMockFault.RandomDataThenClose)]
    public async Task FaultBreaksTheConnection(WireMockFault fault)
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/fault").RespondingWith(WireMockResponse.FromFault(fault)));

        // Act
        AsyncTestDelegate call = async () => (await http.GetAsync(new Uri("fault", UriKind.Relative))).Dispose();

        // Assert
        await Assert.ThatAsync(call, Throws.InstanceOf<HttpRequestException>());
    }

    [Test]
    public async Task FixedDelayHoldsTheResponse()
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/slow")
            .RespondingWith(WireMockResponse.Json(200, "{}").WithFixedDelay(TimeSpan.FromMilliseconds(400))));
        using var impatient = server.CreateHttpClient(TimeSpan.FromMilliseconds(100));

        // Act
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri("slow", UriKind.Relative));
        var elapsed = watch.Elapsed;
        AsyncTestDelegate timedOut = async () => (await impatient.GetAsync(new Uri("slow", UriKind.Relative))).Dispose();

        // Assert
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(350)));
        await Assert.ThatAsync(timedOut, Throws.InstanceOf<TaskCanceledException>());
    }

    [Test]
    public async Task RedirectIsServedAndFollowed()
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/old").RespondingWith(WireMockResponse.Redirect("/new")));
        await server.AddStubAsync(WireMockStub.Get("/new").RespondingWith(WireMockResponse.Text(200, "moved here")));
        using var noFollow = server.CreateHttpClient(allowAutoRedirect: false);

        // Act
        var followed = await http.GetStringAsync(new Uri("old", UriKind.Relative));
        using var raw = await noFollow.GetAsync(new Uri("old", UriKind.Relative));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(followed, Is.EqualTo("moved here"));
            Assert.That((int)raw.StatusCode, Is.EqualTo(302));
            Assert.That(raw.Headers.Location?.ToString(), Is.EqualTo("/new"));
        }
    }

    [Test]
    public async Task RawBodyStatusAndCustomHeadersAreSentAsIs()
    {
        // Arrange
        await server.AddStubAsync(WireMockStub.Get("/raw").RespondingWith(
            WireMockResponse.Json(503, "{not json").WithHeader("Retry-After", "7").WithHeader("X-Trace", "a").WithHeader("X-Trace", "b")));

        // Act
        using var response = await http.GetAsync(new Uri("raw", UriKind.Relative));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{not json"));
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(response.Headers.GetValues("X-Trace"), Is.EqualTo(TraceValues));
        }
    }

    [Test]
    public async Task BinaryBodyIsSentByteForByte()
    {
        // Arrange
        byte[] bytes = [0, 1, 2, 0xFF, 0x89, 0x50, 0x4E, 0x47];
        await server.AddStubAsync(WireMockStub.Get("/file.png").RespondingWith(WireMockResponse.Binary(200, bytes, "image/png")));

        // Act
        var body = await http.GetByteArrayAsync(new Uri("file.png", UriKind.Relative));

        // Assert
        Assert.That(body, Is.EqualTo(bytes));
    }
}
