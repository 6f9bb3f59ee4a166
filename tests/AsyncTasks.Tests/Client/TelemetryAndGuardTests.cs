using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// The diagnostics a client emits (ActivitySource and Meter named <c>AsyncTasks</c>), its guards against misuse
/// (null arguments, use after dispose, ids that cannot be sent), and the User-Agent it sends.
/// </summary>
[TestFixture]
[Category("Client")]
internal sealed class TelemetryAndGuardTests : ClientTestBase
{
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private ActivityListener? _activityListener;
    private MeterListener? _meterListener;

    [SetUp]
    public void Listen()
    {
        // One fixture instance serves every test: start each with nothing recorded.
        _activities.Clear();
        _measurements.Clear();
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AsyncTasks",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);

        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AsyncTasks")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    [TearDown]
    public void StopListening()
    {
        _activityListener?.Dispose();
        _meterListener?.Dispose();
    }

    [Test]
    public async Task ARead_IsTracedAndCountedWithItsProviderAndState()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/t.png")));
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(provider.Task));

        // Assert
        var activity = _activities.Single(a => a.OperationName == "AsyncTasks.Get");
        var polls = Measured("asynctasks.polls");
        var durations = Measured("asynctasks.poll.duration");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(activity.GetTagItem("asynctasks.provider"), Is.EqualTo("duomi"));
            Assert.That(activity.GetTagItem("asynctasks.task_id"), Is.EqualTo(provider.Task.Id));
            Assert.That(activity.GetTagItem("asynctasks.state"), Is.EqualTo("succeeded"));
            Assert.That(activity.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(polls.Single().Value, Is.EqualTo(1));
            Assert.That(polls.Single().Tags, Is.EquivalentTo(new Dictionary<string, object?> { ["provider"] = "duomi", ["outcome"] = "succeeded" }));
            Assert.That(durations.Single().Value, Is.GreaterThanOrEqualTo(0));
            Assert.That(durations.Single().Tags, Is.EquivalentTo(new Dictionary<string, object?> { ["provider"] = "duomi" }));
            Assert.That(Measured("asynctasks.retries"), Is.Empty);
        }
    }

    [Test]
    public async Task AFailedRead_IsMarkedAsAnErrorWithItsKind()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, WireMockResponse.Json(404, "{\"code\":404,\"msg\":\"no such task\"}"));
        var client = CreateClient();

        // Act
        Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        var activity = _activities.Single(a => a.OperationName == "AsyncTasks.Get");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(activity.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(activity.StatusDescription, Is.EqualTo("notfound"));
            Assert.That(activity.GetTagItem("asynctasks.state"), Is.Null);
            Assert.That(Measured("asynctasks.polls").Single().Tags["outcome"], Is.EqualTo("notfound"));
        }
    }

    [Test]
    public async Task ARetriedRequestIsCountedForItsProvider()
    {
        // Arrange: 503, then the answer.
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(provider, WireMockResponse.WithStatus(503), Ok(provider.SucceededBody("https://cdn.example.com/r.mp4")));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        var retries = Measured("asynctasks.retries");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(retries.Single().Value, Is.EqualTo(1));
            Assert.That(retries.Single().Tags, Is.EquivalentTo(new Dictionary<string, object?> { ["provider"] = "mountsea" }));
            Assert.That(Measured("asynctasks.polls").Single().Tags["outcome"], Is.EqualTo("succeeded"));
        }
    }

    [Test]
    public async Task AWait_IsTracedAndCountedByOutcome()
    {
        // Arrange
        var provider = ProviderCase.TencentVod;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/w.png")));
        var client = CreateClient();

        // Act
        await Within(client.WaitAsync(provider.Task));

        // Assert
        var wait = _activities.Single(a => a.OperationName == "AsyncTasks.Wait");
        var waits = Measured("asynctasks.waits");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wait.GetTagItem("asynctasks.provider"), Is.EqualTo("tencent-vod"));
            Assert.That(wait.GetTagItem("asynctasks.task_id"), Is.EqualTo(provider.Task.Id));
            Assert.That(wait.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(waits.Single().Value, Is.EqualTo(1));
            Assert.That(waits.Single().Tags, Is.EquivalentTo(new Dictionary<string, object?> { ["provider"] = "tencent-vod", ["outcome"] = "succeeded" }));
        }
    }

    [Test]
    public async Task AWaitEndedByAnErrorIsCountedWithItsKind()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, WireMockResponse.Json(401, "{\"error\":{\"code\":2101,\"message\":\"invalid key\"}}"));
        var client = CreateClient();

        // Act
        Assert.ThrowsAsync<TaskClientException>(() => Within(client.WaitAsync(provider.Task)));

        // Assert
        AssertWaitEndedInError("authentication");
    }

    [Test]
    public async Task NullArgumentsAreRefusedBeforeAnyRequest()
    {
        var client = CreateClient();
        var output = new TaskOutput(TaskOutputKind.Image, new Uri(BaseUri, "x.png"), null, null, null, null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => client.GetAsync(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("task"));
            Assert.That(() => client.WaitAsync(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("task"));
            Assert.That(() => client.DownloadAsync(null!, Stream.Null), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("output"));
            Assert.That(() => client.DownloadAsync(output, null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("destination"));
            Assert.That(() => new TaskClient(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("options"));
        }

        Assert.That(await Server.GetRequestsAsync(), Is.Empty);
    }

    [TestCase("..")]
    [TestCase(".")]
    public async Task AnIdThatWouldBeReadAsAPathStepIsRefusedBeforeAnyRequest(string id)
    {
        var client = CreateClient();
        var task = new TaskRef(Provider.Duomi, id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => client.GetAsync(task), Throws.ArgumentException.With.Property("ParamName").EqualTo("id"));
            Assert.That(() => client.WaitAsync(task), Throws.ArgumentException.With.Property("ParamName").EqualTo("id"));
        }

        Assert.That(await Server.GetRequestsAsync(), Is.Empty);
    }

    [Test]
    public async Task ADisposedClientRefusesEveryCall()
    {
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        await Within(client.GetAsync(provider.Task));
        var output = new TaskOutput(TaskOutputKind.Image, new Uri(BaseUri, "x.png"), null, null, null, null);

        client.Dispose();
        client.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => client.GetAsync(provider.Task), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(() => client.WaitAsync(provider.Task), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(() => client.DownloadAsync(output, Stream.Null), Throws.InstanceOf<ObjectDisposedException>());

            // From the call itself, not from the task it would return; also for a provider not read before.
            Assert.Throws<ObjectDisposedException>(() => _ = client.GetAsync(ProviderCase.Kexiang.Task));
            Assert.Throws<ObjectDisposedException>(() => _ = client.WaitAsync(ProviderCase.Kexiang.Task));
            Assert.Throws<ObjectDisposedException>(() => _ = client.WatchAsync(ProviderCase.Kexiang.Task));
        }

        Assert.That(await ReadsAsync(ProviderCase.Kexiang), Is.Empty);
    }

    [Test]
    public void InvalidWaitOptionsAreRefusedByTheCallItselfNamingTheSetting()
    {
        var client = CreateClient();
        var invalid = new WaitOptions { Timeout = TimeSpan.Zero };
        const string message = "Invalid wait options: WaitOptions:Timeout must be positive. (Parameter 'options')";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.Throws<ArgumentException>(() => _ = client.WaitAsync(ProviderCase.Duomi.Task, invalid))?.Message, Is.EqualTo(message));
            Assert.That(Assert.Throws<ArgumentException>(() => _ = client.WatchAsync(ProviderCase.Duomi.Task, invalid))?.Message, Is.EqualTo(message));
        }
    }

    [Test]
    public async Task AReadEndedByTheCallersCancellationIsCountedAsAnError()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // Act
        Assert.CatchAsync<OperationCanceledException>(() => Within(client.GetAsync(provider.Task, cancelled.Token)));

        // Assert
        Assert.That(Measured("asynctasks.polls").Single().Tags, Is.EquivalentTo(new Dictionary<string, object?> { ["provider"] = "duomi", ["outcome"] = "error" }));
    }

    [Test]
    public async Task AWaitThatTimesOutIsMarkedAsAnErrorAndCountedAsAWaitTimeout()
    {
        // Arrange: the task keeps running past a short wait.
        var provider = ProviderCase.Mountsea;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromSeconds(2) })));

        // Assert
        AssertWaitEndedInError("wait_timeout");
    }

    [Test]
    public async Task TheUserAgentNamesTheLibraryAndTheConfiguredApplication()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.SucceededBody(new Uri(BaseUri, "files/agent.bin").AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/agent.bin").RespondingWith(WireMockResponse.Binary(200, [1, 2, 3])));
        var plain = CreateClient();
        var named = CreateClient(CreateOptions(o => o.UserAgent = "PhotoApp/2.1"));

        // Act: a read and a download by each.
        var output = (await Within(plain.GetAsync(provider.Task))).Outputs.Single();
        await Within(named.GetAsync(provider.Task));
        await Within(plain.DownloadAsync(output, Stream.Null));
        await Within(named.DownloadAsync(output, Stream.Null));

        // Assert
        var agents = (await ReadsAsync(provider)).Select(r => r.Header("User-Agent")).ToList();
        var downloadAgents = (await Server.GetRequestsAsync()).Where(r => r.Path == "/files/agent.bin").Select(r => r.Header("User-Agent")).ToList();
        using (Assert.EnterMultipleScope())
        {
            foreach (var sent in new[] { agents, downloadAgents })
            {
                Assert.That(sent, Has.Count.EqualTo(2));
                Assert.That(sent, Has.All.Contains("AsyncTasks/"));
                Assert.That(sent.Count(a => a!.Contains("PhotoApp/2.1", StringComparison.Ordinal)), Is.EqualTo(1));
            }
        }
    }

    /// <summary>The one wait traced as an error and counted with <paramref name="outcome"/>.</summary>
    private void AssertWaitEndedInError(string outcome)
    {
        var wait = _activities.Single(a => a.OperationName == "AsyncTasks.Wait");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(wait.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(wait.StatusDescription, Is.EqualTo(outcome));
            Assert.That(Measured("asynctasks.waits").Single().Tags["outcome"], Is.EqualTo(outcome));
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measured(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument)];
}
