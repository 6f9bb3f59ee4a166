using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// How a wait ends: with the final snapshot (succeeded or failed, never thrown), with a wait timeout, or with a
/// non-transient error; and what it does meanwhile (polls at once, keeps polling through unknown states and
/// transient failures). Real HTTP against WireMock scenarios, delays on the fake clock.
/// </summary>
[TestFixture]
internal sealed class WaitOutcomeTests : ClientTestBase
{
    private static IEnumerable<ProviderCase> Providers => ProviderCase.All;

    private static IEnumerable<ProviderCase> ProvidersWithStatusText => ProviderCase.WithStatusText;

    [TestCaseSource(nameof(Providers))]
    public async Task QueuedRunningSucceededEndsWithTheSucceededSnapshotAndItsExactOutputs(ProviderCase provider)
    {
        // Arrange
        var outputUrl = new Uri(BaseUri, "files/" + provider.Name + "/result-0.bin");
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody(outputUrl.AbsoluteUri)));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert
        var reads = await ReadsAsync(provider);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.IsTerminal, Is.True);
            Assert.That(snapshot.Task, Is.EqualTo(provider.Task));
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.Outputs, Has.Count.EqualTo(1));
            Assert.That(snapshot.Outputs[0].Url, Is.EqualTo(outputUrl));
            Assert.That(snapshot.Outputs[0].Kind, Is.EqualTo(provider.OutputKind));
            Assert.That(snapshot.Outputs[0].IsInline, Is.False);
            Assert.That(reads, Has.Count.EqualTo(3), "one read per state");
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(2), "a delay between reads, none after the final one");
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task AFailedTaskIsReturnedAsAFailedSnapshotNotThrown(ProviderCase provider)
    {
        // Arrange
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.FailedBody()));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed));
            Assert.That(snapshot.Outputs, Is.Empty);
            Assert.That(snapshot.Error, Is.Not.Null);
            Assert.That(snapshot.Error?.Message, Is.EqualTo("the prompt was rejected"));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(2));
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task TheFirstPollIsSentAtOnce(ProviderCase provider)
    {
        // Arrange
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);

        // Act
        await Within(client.WaitAsync(provider.Task));

        // Assert
        var sent = transport.Sent;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sent, Has.Count.EqualTo(2));
            Assert.That(sent[0].VirtualTime, Is.EqualTo(Clock.Start), "no delay before the first poll");
            Assert.That(sent[1].VirtualTime - sent[0].VirtualTime, Is.EqualTo(Clock.RequestedDelays.Single()));
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task TheOverallTimeoutEndsTheWaitWithTheLastSnapshotAfterExactlyThatVirtualTime(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        var wait = new WaitOptions { Timeout = TimeSpan.FromMinutes(2) };

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        var reads = await ReadsAsync(provider);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Timeout));
            Assert.That(exception.IsTransient, Is.False, "the wait used its time; nothing failed");
            Assert.That(exception.Timeout, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(exception.Task, Is.EqualTo(provider.Task));
            Assert.That(exception.LastSnapshot, Is.Not.Null);
            Assert.That(exception.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
            Assert.That(exception.Message, Does.Contain(provider.Name).And.Contain("running"));
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromMinutes(2)), "the wait ends exactly at its timeout on the virtual clock");
            Assert.That(reads, Has.Count.EqualTo(Clock.RequestedDelays.Count), "every poll is followed by one delay; the last reaches the deadline");
            Assert.That(reads, Has.Count.GreaterThan(3));
        }

        AssertNoKey(exception);
    }

    [TestCaseSource(nameof(ProvidersWithStatusText))]
    public async Task AnUnknownStatusIsNotTerminalAndKeepsPollingUntilTheTimeout(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, Ok(provider.UnknownBody()!));
        var client = CreateClient();
        var wait = new WaitOptions { Timeout = TimeSpan.FromMinutes(1) };

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.LastSnapshot?.State, Is.EqualTo(TaskState.Unknown));
            Assert.That(exception.LastSnapshot?.ProviderState, Is.EqualTo(provider.UnknownRaw));
            Assert.That(exception.LastSnapshot?.IsTerminal, Is.False);
            Assert.That(await ReadsAsync(provider), Has.Count.GreaterThan(3), "an unknown state is polled again");
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromMinutes(1)));
        }
    }

    [TestCase(401, TaskErrorKind.Authentication)]
    [TestCase(403, TaskErrorKind.Authentication)]
    [TestCase(404, TaskErrorKind.NotFound)]
    public async Task ANonTransientErrorEndsTheWaitAtOnceWithoutRetrying(int status, TaskErrorKind kind)
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()),
            WireMockResponse.Json(status, """{"code":401,"msg":"nope"}""").WithHeader("X-Request-Id", "req-wait"),
            Ok(provider.SucceededBody("https://cdn.example.com/never.png")));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.WaitAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(kind));
            Assert.That(exception.HttpStatus, Is.EqualTo(status));
            Assert.That(exception.RequestId, Is.EqualTo("req-wait"));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(2), "no retry of the failed read, no poll after it");
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(1), "only the delay before the failing poll");
        }

        AssertNoKey(exception);
        AssertNoKeyInLogs();
    }

    [TestCaseSource(nameof(Providers))]
    public async Task Status401And404EndTheWaitForEveryProvider(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, WireMockResponse.Json(404, """{"message":"no such task"}""").WithHeader("X-Request-Id", "req-404"));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(client.WaitAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.NotFound));
            Assert.That(exception.Provider, Is.EqualTo(provider.Provider));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(1));
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task TransientFailuresArePolledThroughWithinTheWait(ProviderCase provider)
    {
        // Arrange: no request-level retries, so each failure is one poll of the loop.
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(500, """{"message":"boom"}"""),
            WireMockResponse.Text(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
            WireMockResponse.Json(503, """{"message":"busy"}"""),
            WireMockResponse.Json(424, """{"error":{"code":2002,"message":"upstream unavailable"}}"""),
            WireMockResponse.FromFault(WireMockFault.ConnectionResetByPeer),
            WireMockResponse.FromFault(WireMockFault.EmptyResponse),
            Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0), transport);

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert: every failure is followed by a delay and another poll. .NET itself resends a request once when a
        // reused keep-alive connection is reset before any answer, so the wire may show a read more than the client sent.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(transport.Sent, Has.Count.InRange(6, 7));
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(transport.Sent.Count - 1));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(7), "every answer of the sequence was used");
        }

        AssertNoKeyInLogs();
    }

    [Test]
    public async Task RequestRetriesAndPollRetriesAddUp()
    {
        // Arrange: one retry per request; 500 then 503 exhaust the first poll's request, the next poll succeeds.
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(500, """{"message":"boom"}"""),
            WireMockResponse.Json(503, """{"message":"busy"}"""),
            Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 1));

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3));
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(2), "one request retry delay, one poll delay");
        }
    }

    [Test]
    public void InvalidWaitOptionsAreRefusedBeforeAnyRequest()
    {
        // Arrange
        var client = CreateClient();
        var wait = new WaitOptions { Timeout = TimeSpan.Zero, Multiplier = 0.5 };

        // Act
        var exception = Assert.ThrowsAsync<ArgumentException>(() => Within(client.WaitAsync(ProviderCase.Duomi.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ParamName, Is.EqualTo("options"));
            Assert.That(exception.Message, Does.Contain("Timeout").And.Contain("Multiplier"));
        }
    }
}
