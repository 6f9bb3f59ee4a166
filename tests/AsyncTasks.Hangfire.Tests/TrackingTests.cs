using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AsyncTasks.Hangfire.Tests;

/// <summary>The tracker's behaviour on each storage: PostgreSQL (production) and Hangfire.InMemory (the embedded default).</summary>
[TestFixture("postgres")]
[TestFixture("memory")]
public sealed class TrackingTests : StubFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _storage;
    private TrackingHarness? _harness;

    public TrackingTests(string storage) => _storage = storage;

    [TearDown]
    public async Task StopHost()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
            _harness = null;
        }
    }

    private async Task<TrackingHarness> StartAsync(Action<IServiceCollection>? configure = null) =>
        _harness = await TrackingHarness.StartAsync(TrackingHarness.SettingsFor(_storage, Stub), configure: configure);

    [Test]
    public async Task EveryProviderGoesFromQueuedThroughRunningToSucceededAndTheHandlerGetsTheFinalSnapshotAndTheTag()
    {
        // Arrange
        using var measurements = new TrackingMeasurements();
        var harness = await StartAsync();
        var tracked = new List<(ProviderFlow Flow, string Id, string Unique)>();
        Assert.That(
            ProviderFlow.All.Select(f => f.Provider),
            Is.EqualTo(ProviderNames.All),
            "every provider needs its flow in Stub.cs (ProviderFlow.All), in the order of ProviderNames.All");
        foreach (var flow in ProviderFlow.All)
        {
            var (task, unique) = flow.NewTask();
            Stub.Sequence(unique, flow.Answers);

            // Act
            var id = harness.Tracker.Track(task, new TrackOptions { Tag = "order-" + flow.Provider.GetName() });
            tracked.Add((flow, id, unique));
        }

        await harness.Handler.WaitForAsync(tracked.Count, Patience);

        // Assert
        foreach (var (flow, id, unique) in tracked)
        {
            var status = await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
            var call = harness.Handler.For(id).Single();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(call.Snapshot?.State, Is.EqualTo(TaskState.Succeeded), flow.Provider.GetName());
                Assert.That(call.Snapshot?.Outputs, Is.Not.Empty, flow.Provider.GetName());
                Assert.That(call.Error, Is.Null);
                Assert.That(call.Tag, Is.EqualTo("order-" + flow.Provider.GetName()));
                Assert.That(call.Attempts, Is.EqualTo(3));
                Assert.That(call.Task.Provider, Is.EqualTo(flow.Provider));
                Assert.That(Stub.Requests(unique), Has.Count.EqualTo(3), flow.Provider.GetName());
                Assert.That(status.Attempts, Is.EqualTo(3));
                Assert.That(status.Outcome, Is.EqualTo("succeeded"));
                Assert.That(status.Tag, Is.EqualTo("order-" + flow.Provider.GetName()));
                Assert.That(status.NextPollAt, Is.Null);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(measurements.Sum("asynctasks.tracking.tracked"), Is.EqualTo(5));
            Assert.That(measurements.Sum("asynctasks.tracking.polls"), Is.EqualTo(15));
            Assert.That(measurements.Get("asynctasks.tracking.polls", "succeeded"), Is.EqualTo(5));
            Assert.That(measurements.Get("asynctasks.tracking.completed", "succeeded"), Is.EqualTo(5));
            Assert.That(measurements.Sum("asynctasks.tracking.handler_failures"), Is.Zero);
        }
    }

    [Test]
    public async Task ATaskThatFailsAtTheProviderEndsTrackingWithItsFailedSnapshot()
    {
        // Arrange
        var harness = await StartAsync();
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("pending"), flow.Example("error"));

        // Act
        var id = harness.Tracker.Track(task);
        var call = (await harness.Handler.WaitForAsync(1, Patience)).Single();
        var status = await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(call.Snapshot?.State, Is.EqualTo(TaskState.Failed));
            Assert.That(call.Snapshot?.Error, Is.Not.Null);
            Assert.That(call.Attempts, Is.EqualTo(2));
            Assert.That(status.Outcome, Is.EqualTo("failed"));
        }
    }

    [Test]
    public async Task ATaskThatNeverEndsTimesOutAtTheTrackingTimeout()
    {
        // Arrange
        var harness = await StartAsync();
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("running"));
        var timeout = TimeSpan.FromMilliseconds(2500);

        // Act
        var started = DateTime.UtcNow;
        var id = harness.Tracker.Track(task, new TrackOptions { Timeout = timeout });
        var call = (await harness.Handler.WaitForAsync(1, Patience)).Single();
        var ended = DateTime.UtcNow;
        var status = await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);

        // Assert: the error says so, with the last snapshot read; the handler ran after the deadline, not long after.
        var error = call.Error as TaskWaitTimeoutException;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(call.Snapshot, Is.Null);
            Assert.That(error, Is.Not.Null, call.Error?.ToString());
            Assert.That(error?.Timeout, Is.EqualTo(timeout));
            Assert.That(error?.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
            Assert.That(status.Outcome, Is.EqualTo("timeout"));
            Assert.That(ended - started, Is.GreaterThanOrEqualTo(timeout));
            Assert.That(ended - started, Is.LessThan(timeout + TimeSpan.FromSeconds(5)));
            Assert.That(Stub.Requests(unique), Has.Count.GreaterThanOrEqualTo(3));
        }
    }

    [Test]
    public async Task A401EndsTrackingWithTheAuthenticationErrorAfterOneRequest()
    {
        // Arrange
        var harness = await StartAsync();
        var flow = ProviderFlow.Of(Provider.Mountsea);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("unauthorized", 401));

        // Act
        var id = harness.Tracker.Track(task);
        var call = (await harness.Handler.WaitForAsync(1, Patience)).Single();
        var status = await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);

        // Assert
        var error = call.Error as TaskClientException;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error?.Kind, Is.EqualTo(TaskErrorKind.Authentication), call.Error?.ToString());
            Assert.That(error?.HttpStatus, Is.EqualTo(401));
            Assert.That(error?.Provider, Is.EqualTo(Provider.Mountsea));
            Assert.That(error?.Message, Does.Not.Contain(Stub.ApiKey));
            Assert.That(Stub.Requests(unique), Has.Count.EqualTo(1));
            Assert.That(status.Outcome, Is.EqualTo("authentication"));
            Assert.That(status.Attempts, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A429WithRetryAfterReschedulesThePollAtThatTime()
    {
        // Arrange: the interval is 20 ms (a poll rounded up to the next second); the provider asks for 2 s.
        var harness = await StartAsync();
        var flow = ProviderFlow.Of(Provider.Mountsea);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("tooManyRequests", 429) with { RetryAfter = "2" }, flow.Example("videoCompleted"));

        // Act
        var id = harness.Tracker.Track(task);
        var scheduled = await harness.WaitForStatusAsync(id, s => s.Attempts == 1);
        var call = (await harness.Handler.WaitForAsync(1, Patience)).Single();

        // Assert
        var requests = Stub.Requests(unique);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(call.Snapshot?.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(call.Attempts, Is.EqualTo(2));
            Assert.That(requests, Has.Count.EqualTo(2));
            Assert.That(scheduled.State, Is.EqualTo(TrackingState.Polling));
            Assert.That(
                (scheduled.NextPollAt!.Value.UtcDateTime - requests[0]).TotalMilliseconds,
                Is.InRange(1990, 3100),
                "next poll time recorded after the 429");
            Assert.That((requests[1] - requests[0]).TotalMilliseconds, Is.InRange(1990, 6000), "the second request waited for Retry-After");
        }
    }

    [Test]
    public async Task CancelStopsPollingAndTheHandlerIsNeverCalled()
    {
        // Arrange
        var harness = await StartAsync();
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("running"));
        var id = harness.Tracker.Track(task, new TrackOptions { Timeout = TimeSpan.FromMinutes(5) });
        await harness.WaitForStatusAsync(id, s => s.Attempts >= 2);

        // Act
        var cancelled = harness.Tracker.Cancel(id);
        var pollsAtCancel = Stub.Requests(unique).Count;
        await Task.Delay(700);

        // Assert
        var status = await harness.Tracker.GetStatusAsync(id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cancelled, Is.True);
            Assert.That(harness.Tracker.Cancel(id), Is.False, "a second cancel");
            Assert.That(status?.State, Is.EqualTo(TrackingState.Cancelled));
            Assert.That(status?.NextPollAt, Is.Null);
            Assert.That(Stub.Requests(unique), Has.Count.InRange(pollsAtCancel, pollsAtCancel + 1), "no poll after Cancel but one already running");
            Assert.That(harness.Handler.Calls, Is.Empty);
            Assert.That(await harness.Tracker.GetStatusAsync("no-such-tracking"), Is.Null);
            Assert.That(harness.Tracker.Cancel("no-such-tracking"), Is.False);
        }
    }

    [Test]
    public async Task DuplicateDeliveriesOfAPollCallTheHandlerOnceAndNeverTwiceAtTheSameTime()
    {
        // Arrange: a slow handler, and the first poll job delivered four times (as a crashed worker's job would be).
        var harness = await StartAsync();
        harness.Handler.Behaviour = _ => Task.Delay(300);
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("succeeded"));

        // Act
        var id = harness.Tracker.Track(task);
        for (var i = 0; i < 3; i++)
        {
            harness.Jobs.Enqueue<TrackingJob>(job => job.PollAsync(id, 0, CancellationToken.None));
        }

        await harness.Handler.WaitForAsync(1, Patience);
        await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
        await Task.Delay(1000);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(harness.Handler.Calls, Has.Count.EqualTo(1));
            Assert.That(harness.Handler.MaxConcurrent, Is.EqualTo(1));
            Assert.That(Stub.Requests(unique), Has.Count.InRange(1, 4), "at most one read per delivery");
        }
    }

    [Test]
    public async Task APollThatWritesLateDoesNotReopenACompletedTracking()
    {
        // Arrange: a completed tracking, and a poll of it that read the record before the completion and writes
        // after it (polls run without the lock; only the handler call and state changes take it).
        var harness = await StartAsync();
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("succeeded"));
        var id = harness.Tracker.Track(task);
        await harness.Handler.WaitForAsync(1, Patience);
        await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
        using var connection = harness.Storage.GetConnection();
        var late = TrackingRecord.Read(connection, id)!;
        late.State = TrackingState.Polling;
        late.Attempts = 5;
        late.NextPollAt = DateTimeOffset.UtcNow;

        // Act: the late poll's write, then the poll it scheduled.
        late.WritePoll(connection);
        harness.Jobs.Enqueue<TrackingJob>(job => job.PollAsync(id, 5, CancellationToken.None));
        await Task.Delay(1000);

        // Assert
        var status = await harness.Tracker.GetStatusAsync(id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status?.State, Is.EqualTo(TrackingState.Completed));
            Assert.That(status?.Outcome, Is.EqualTo("succeeded"));
            Assert.That(harness.Handler.Calls, Has.Count.EqualTo(1));
            Assert.That(Stub.Requests(unique), Has.Count.EqualTo(1), "the scheduled poll found the tracking ended and read nothing");
        }
    }

    [Test]
    public async Task AHandlerThatThrowsIsRetriedByHangfireAndOnceItReturnedIsNotCalledAgain()
    {
        // Arrange
        using var measurements = new TrackingMeasurements();
        var harness = await StartAsync();
        var failures = 0;
        harness.Handler.Behaviour = _ => Interlocked.Increment(ref failures) == 1
            ? throw new InvalidOperationException("the order service is down")
            : Task.CompletedTask;
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("succeeded"));

        // Act
        var id = harness.Tracker.Track(task);
        await harness.Handler.WaitForAsync(2, Patience);
        var status = await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
        await Task.Delay(1500);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(harness.Handler.Calls, Has.Count.EqualTo(2));
            Assert.That(harness.Handler.Calls.Select(c => c.TrackingId), Is.All.EqualTo(id));
            Assert.That(status.Outcome, Is.EqualTo("succeeded"));
            Assert.That(measurements.Sum("asynctasks.tracking.handler_failures"), Is.EqualTo(1));
            Assert.That(measurements.Get("asynctasks.tracking.completed", "succeeded"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task BadInputIsRefusedAtTrackWithAClearErrorAndNothingIsStored()
    {
        // Arrange: Kexiang has no key in this application.
        var harness = await StartAsync(services => services.PostConfigure<AsyncTasksOptions>(o => o.For(Provider.Kexiang).ApiKey = null));

        // Act
        var malformed = Assert.Throws<FormatException>(() => harness.Tracker.Track("not a task reference"));
        var unknown = Assert.Throws<FormatException>(() => harness.Tracker.Track("nosuchgateway:abc"));
        var noKey = Assert.Throws<InvalidOperationException>(() => harness.Tracker.Track(new TaskRef(Provider.Kexiang, "33410")));
        var badTimeout = Assert.Throws<ArgumentException>(() => harness.Tracker.Track(new TaskRef(Provider.Duomi, "x"), new TrackOptions { Timeout = TimeSpan.Zero }));
        await Task.Delay(200);

        // Assert
        var statistics = harness.Storage.GetMonitoringApi().GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(malformed?.Message, Does.Contain("'not a task reference' is not a task reference"));
            Assert.That(unknown?.Message, Does.Contain("mountsea, duomi, kexiang, tencent-vod, skyengine"));
            Assert.That(noKey?.Message, Is.EqualTo("kexiang: no API key is configured (AsyncTasks options, provider kexiang); the task was not tracked."));
            Assert.That(badTimeout?.Message, Does.Contain("TrackOptions.Timeout must be positive"));
            Assert.That(statistics.Enqueued + statistics.Scheduled + statistics.Processing + statistics.Succeeded + statistics.Failed, Is.Zero);
            Assert.That(harness.Handler.Calls, Is.Empty);
        }

        if (_storage == "postgres")
        {
            await using var connection = new NpgsqlConnection(harness.Settings.Postgres);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand($"select (select count(*) from {harness.Settings.Schema}.hash) + (select count(*) from {harness.Settings.Schema}.job)", connection);
            Assert.That(await count.ExecuteScalarAsync(), Is.Zero, "rows in the hash and job tables");
        }
    }
}
