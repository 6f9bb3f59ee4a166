using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// The client never resumes on the caller's <see cref="SynchronizationContext"/>: called from a UI-like context, a
/// read, a wait, a watch, a download and their retries and errors post nothing to it, whichever of its awaits is
/// the first that really waits (see <see cref="ContextPump"/>). A library that resumed there would deadlock callers
/// that block on its tasks, and load their UI thread.
/// </summary>
[TestFixture]
internal sealed class SynchronizationContextTests : ClientTestBase
{
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 13))];

    private ContextPump _pump = null!;

    private static IEnumerable<ProviderCase> Providers => ProviderCase.All;

    /// <summary>How the answer to a read arrives: over the socket later, or read at once with its body opened or read later.</summary>
    private static IEnumerable<TestCaseData> ReadIo =>
        from provider in ProviderCase.All
        from io in new[] { Io.Later, Io.AtOnceOpenedLater, Io.AtOnceReadLater, Io.AtOnceDisposedLater }
        select new TestCaseData(provider, io);

    [SetUp]
    public void StartPump() => _pump = new ContextPump();

    [TearDown]
    public void StopPump() => _pump.Dispose();

    [Test]
    public async Task ThePumpRecordsAnAwaitThatResumesOnIt()
    {
        // Arrange: the premise of every other test — an await that keeps the context is seen.
        static async Task<int> ResumeOnContextAsync(Task later)
        {
            await later.ConfigureAwait(true);
            return 1;
        }

        // Act
        var call = await _pump.Run(() => ResumeOnContextAsync(_pump.Hop()));
        var result = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(1));
            Assert.That(_pump.Posts, Has.Count.EqualTo(1));
            Assert.That(_pump.Posts.Single(), Does.Contain(nameof(ResumeOnContextAsync)));
        }
    }

    [TestCaseSource(nameof(ReadIo))]
    public async Task AReadPostsNothingToTheCallersContext(ProviderCase provider, Io io)
    {
        // Arrange
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/out.bin")));
        var client = CreatePumpedClient(io);

        // Act
        var call = await _pump.Run(() => client.GetAsync(provider.Task));
        var snapshot = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Outputs.Single().Url, Is.EqualTo(new Uri("https://cdn.example.com/out.bin")));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task AWaitOverSeveralPollsPostsNothingToTheCallersContext(ProviderCase provider)
    {
        // Arrange
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.bin")));
        var client = CreatePumpedClient(Io.Later);
        var wait = new WaitOptions { InitialInterval = TimeSpan.FromSeconds(2), Multiplier = 2, Jitter = 0, Timeout = TimeSpan.FromMinutes(5) };

        // Act
        var call = await _pump.Run(() => client.WaitAsync(provider.Task, wait));
        var snapshot = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) }));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [Test]
    public async Task AWaitWhosePollsAreAnsweredAtOncePostsNothingToTheCallersContext()
    {
        // Arrange: the first wait between polls is the first await that really waits.
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var client = CreatePumpedClient(Io.AtOnce);
        var wait = new WaitOptions { InitialInterval = TimeSpan.FromSeconds(3), Jitter = 0 };

        // Act
        var call = await _pump.Run(() => client.WaitAsync(provider.Task, wait));
        var snapshot = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(3) }));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [Test]
    public async Task AWaitThatTimesOutPostsNothingToTheCallersContext()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreatePumpedClient(Io.AtOnce);
        var wait = new WaitOptions { InitialInterval = TimeSpan.FromSeconds(4), Jitter = 0, Timeout = TimeSpan.FromSeconds(10) };

        // Act
        var call = await _pump.Run(() => client.WaitAsync(provider.Task, wait));
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(call));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [Test]
    public async Task AWaitWhosePollFailsTransientlyPostsNothingToTheCallersContext()
    {
        // Arrange: no request retries, so the poll loop itself waits (Retry-After) and polls again.
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(503, "{}").WithHeader("Retry-After", "7"),
            Ok(provider.SucceededBody("https://cdn.example.com/out.bin")));
        var client = CreatePumpedClient(Io.AtOnce, o => o.Retry.MaxRetries = 0);
        var wait = new WaitOptions { InitialInterval = TimeSpan.FromSeconds(2), Jitter = 0 };

        // Act
        var call = await _pump.Run(() => client.WaitAsync(provider.Task, wait));
        var snapshot = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(7) }));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [Test]
    public async Task AWatchPostsNothingToTheCallersContext()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.bin")));
        var client = CreatePumpedClient(Io.Later);
        var wait = new WaitOptions { InitialInterval = TimeSpan.FromSeconds(2), Jitter = 0 };
        var watch = await _pump.Run(() => client.WatchAsync(provider.Task, wait).GetAsyncEnumerator());
        var states = new List<TaskState>();

        // Act: every step of the enumeration is started on the context, as an await foreach there would.
        try
        {
            while (await Within(await _pump.Run(() => watch.MoveNextAsync().AsTask())))
            {
                states.Add(watch.Current.State);
            }
        }
        finally
        {
            await Within(await _pump.Run(() => watch.DisposeAsync().AsTask()));
        }

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(states, Is.EqualTo(new[] { TaskState.Queued, TaskState.Running, TaskState.Succeeded }));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [Test]
    public async Task AWatchLeftEarlyPostsNothingToTheCallersContext()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        Clock.AutoAdvance = false;
        var client = CreatePumpedClient(Io.Later);
        var watch = await _pump.Run(() => client.WatchAsync(provider.Task).GetAsyncEnumerator());

        // Act: the first snapshot, then the consumer stops while the loop sleeps before its next poll.
        var first = await Within(await _pump.Run(() => watch.MoveNextAsync().AsTask()));
        var state = watch.Current.State;
        await Within(await _pump.Run(() => watch.DisposeAsync().AsTask()));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(state, Is.EqualTo(TaskState.Running));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(1));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [TestCase(500, null)]
    [TestCase(429, "0")]
    public async Task AReadRetriedAfterATransientErrorPostsNothingToTheCallersContext(int status, string? retryAfter)
    {
        // Arrange: the error is answered at once, the retry later; 429 asks to come back without delay.
        var provider = ProviderCase.TencentVod;
        var error = WireMockResponse.Json(status, "{}");
        await StubSequenceAsync(
            provider,
            retryAfter is null ? error : error.WithHeader("Retry-After", retryAfter),
            Ok(provider.SucceededBody("https://cdn.example.com/out.bin")));
        var client = CreatePumpedClient(new Io("error at once", SynchronousRequests: 1));

        // Act
        var call = await _pump.Run(() => client.GetAsync(provider.Task));
        var snapshot = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(2));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [TestCaseSource(nameof(BodyIo))]
    public async Task AReadOfAMissingTaskPostsNothingToTheCallersContext(Io io)
    {
        // Arrange: an error body, read through the key's redaction.
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, WireMockResponse.Json(404, """{"error":{"code":404,"message":"not found"}}"""));
        var client = CreatePumpedClient(io);

        // Act
        var call = await _pump.Run(() => client.GetAsync(provider.Task));
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(call));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.NotFound));
            Assert.That(exception.HttpStatus, Is.EqualTo(404));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [TestCaseSource(nameof(DownloadIo))]
    public async Task AUrlDownloadPostsNothingToTheCallersContext(Io io, bool retried)
    {
        // Arrange: when retried, the first attempt fails (503).
        var provider = ProviderCase.Duomi;
        var url = new Uri(BaseUri, "files/out.bin");
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        var file = WireMockStub.Get("/files/out.bin");
        if (retried)
        {
            await Server.AddStubAsync(file.InScenario("flaky", WireMockStub.ScenarioStarted, "ok").RespondingWith(WireMockResponse.Json(503, "{}")));
            file = WireMockStub.Get("/files/out.bin").InScenario("flaky", "ok");
        }

        await Server.AddStubAsync(file.RespondingWith(WireMockResponse.Binary(200, Payload)));
        var reader = CreatePumpedClient(Io.Later);
        var output = (await Within(reader.GetAsync(provider.Task))).Outputs.Single();
        var client = CreatePumpedClient(io);
        using var destination = _pump.CreateDestination();

        // Act
        var call = await _pump.Run(() => client.DownloadAsync(output, destination));
        var written = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(Payload.Length));
            Assert.That(destination.ToArray(), Is.EqualTo(Payload));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [TestCaseSource(nameof(BodyIo))]
    public async Task AReadOfALargeInlineVideoPostsNothingToTheCallersContext(Io io)
    {
        // Arrange: a Veo operation whose inline video is long enough to be decoded straight from the body.
        var provider = ProviderCase.SkyEngine;
        byte[] video = [.. Enumerable.Range(0, 48 * 1024).Select(i => (byte)((i * 31) + (i >> 9)))];
        var body = "{\"name\":\"" + provider.TaskId + "\",\"done\":true,\"response\":{\"generatedVideos\":[{\"videoBytes\":\""
            + Convert.ToBase64String(video) + "\",\"mimeType\":\"video/mp4\"}]}}";
        await StubReadAsync(provider, Ok(body));
        var client = CreatePumpedClient(io);

        // Act
        var call = await _pump.Run(() => client.GetAsync(provider.Task));
        var snapshot = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Outputs.Single().InlineData?.ToArray(), Is.EqualTo(video));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    [Test]
    public async Task AnInlineDownloadPostsNothingToTheCallersContext()
    {
        // Arrange: a Veo operation with the video bytes inline (base64).
        var provider = ProviderCase.SkyEngine;
        var body = "{\"name\":\"" + provider.TaskId + "\",\"done\":true,\"response\":{\"generatedVideos\":[{\"videoBytes\":\""
            + Convert.ToBase64String(Payload) + "\",\"mimeType\":\"video/mp4\"}]}}";
        await StubReadAsync(provider, Ok(body));
        var client = CreatePumpedClient(Io.Later);
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = _pump.CreateDestination();

        // Act
        var call = await _pump.Run(() => client.DownloadAsync(output, destination));
        var written = await Within(call);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.IsInline, Is.True);
            Assert.That(written, Is.EqualTo(Payload.Length));
            Assert.That(destination.ToArray(), Is.EqualTo(Payload));
            Assert.That(_pump.Posts, Is.Empty);
        }
    }

    /// <summary>Every way a body can arrive, for reads whose body is read step by step.</summary>
    private static IEnumerable<Io> BodyIo => [Io.Later, Io.AtOnceOpenedLater, Io.AtOnceReadLater, Io.AtOnceDisposedLater];

    /// <summary>Every way a file can arrive; a retry (its delay is the first await that waits) only over the socket.</summary>
    private static IEnumerable<TestCaseData> DownloadIo =>
    [
        new(Io.Later, true),
        new(Io.AtOnce, false),
        new(Io.AtOnceOpenedLater, false),
        new(Io.AtOnceReadLater, false),
        new(Io.AtOnceDisposedLater, false),
    ];

    /// <summary>A client on the fake clock and a pump transport (WireMock over real sockets); disposed after the test.</summary>
    private TaskClient CreatePumpedClient(Io io, Action<AsyncTasksOptions>? configure = null)
    {
        var transport = Track(_pump.CreateTransport(io.SynchronousRequests, io.LaterOpen, io.LaterReads, io.LaterDispose));
        return Track(new TaskClient(CreateOptions(configure), LoggerFactory, Clock, transport));
    }

    /// <summary>How the transport answers.</summary>
    /// <param name="Name">For the test name.</param>
    /// <param name="SynchronousRequests">How many requests, first to last, are answered before the send returns.</param>
    /// <param name="LaterOpen">Whether a body stream opens later.</param>
    /// <param name="LaterReads">Whether each read of a body completes later.</param>
    /// <param name="LaterDispose">Whether disposing a body stream completes later.</param>
    internal sealed record Io(string Name, int SynchronousRequests = 0, bool LaterOpen = false, bool LaterReads = false, bool LaterDispose = false)
    {
        public static Io Later { get; } = new("later");

        public static Io AtOnce { get; } = new("at once", int.MaxValue);

        public static Io AtOnceOpenedLater { get; } = new("at once, opened later", int.MaxValue, LaterOpen: true);

        public static Io AtOnceReadLater { get; } = new("at once, read later", int.MaxValue, LaterReads: true);

        public static Io AtOnceDisposedLater { get; } = new("at once, disposed later", int.MaxValue, LaterDispose: true);

        public override string ToString() => Name;
    }
}
