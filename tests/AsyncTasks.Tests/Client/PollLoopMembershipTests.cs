using AsyncTasks.Polling;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Who keeps a task's poll loop going: a waiter joining a running loop is told its latest snapshot at once; one
/// waiter leaving does not end the loop for the others; the last one leaving (cancelled, or failed by its own
/// progress handler) ends it at once, leaving no timer and no further poll behind.
/// </summary>
[TestFixture]
internal sealed class PollLoopMembershipTests : ClientTestBase
{
    private static readonly WaitOptions Every30Seconds = new() { InitialInterval = TimeSpan.FromSeconds(30), Multiplier = 1, Jitter = 0 };

    [Test]
    public async Task AWaiterJoiningASleepingLoopIsToldItsLatestSnapshotAtOnce()
    {
        // Arrange: a manual clock; the first waiter's loop has polled once and sleeps 30 s.
        var provider = ProviderCase.Kexiang;
        var (client, transport) = await RunningTaskOnManualClockAsync(provider);
        using var stop = new CancellationTokenSource();
        var first = client.WaitAsync(provider.Task, Every30Seconds, cancellationToken: stop.Token);
        await UntilAsync(() => Clock.PendingTimers == 1);
        var progress = new RecordingProgress();

        // Act
        var second = client.WaitAsync(provider.Task, Every30Seconds, progress, stop.Token);

        // Assert: told before WaitAsync returned, without a poll of its own.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(progress.Reports.Select(s => s.State), Is.EqualTo(new[] { TaskState.Running }));
            Assert.That(transport.Sent, Has.Count.EqualTo(1));
        }

        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(first));
        Assert.CatchAsync<OperationCanceledException>(() => Within(second));
    }

    [Test]
    public async Task AWaiterLeavingKeepsTheLoopForTheOthersAndForLaterWaiters()
    {
        // Arrange: two waiters on a sleeping loop.
        var provider = ProviderCase.Duomi;
        var (client, transport) = await RunningTaskOnManualClockAsync(provider);
        using var stopFirst = new CancellationTokenSource();
        using var stopOthers = new CancellationTokenSource();
        var first = client.WaitAsync(provider.Task, Every30Seconds, cancellationToken: stopFirst.Token);
        var second = client.WaitAsync(provider.Task, Every30Seconds, cancellationToken: stopOthers.Token);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act: the first leaves, a third joins.
        await stopFirst.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(first));
        var progress = new RecordingProgress();
        var third = client.WaitAsync(provider.Task, Every30Seconds, progress, stopOthers.Token);

        // Assert: the third joined the running loop (told its snapshot at once); one poll per 30 s still.
        Assert.That(progress.Reports, Has.Count.EqualTo(1));
        Clock.Advance(TimeSpan.FromSeconds(30));
        await transport.WhenSentAsync(2).WaitAsync(Bound);
        await UntilAsync(() => Clock.PendingTimers == 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(transport.Sent, Has.Count.EqualTo(2));
            Assert.That(second.IsCompleted, Is.False);
            Assert.That(third.IsCompleted, Is.False);
        }

        await stopOthers.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(second));
        Assert.CatchAsync<OperationCanceledException>(() => Within(third));
    }

    [Test]
    public async Task CancellingTheLastWaiterEndsTheLoopsSleepAtOnce()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        var (client, transport) = await RunningTaskOnManualClockAsync(provider);
        using var stop = new CancellationTokenSource();
        var wait = client.WaitAsync(provider.Task, Every30Seconds, cancellationToken: stop.Token);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act
        await stop.CancelAsync();

        // Assert: no timer is left to wake a loop nobody waits for; a new wait polls at once.
        Assert.CatchAsync<OperationCanceledException>(() => Within(wait));
        await UntilAsync(() => Clock.PendingTimers == 0);
        using var stopNext = new CancellationTokenSource();
        var next = client.WaitAsync(provider.Task, Every30Seconds, cancellationToken: stopNext.Token);
        await transport.WhenSentAsync(2).WaitAsync(Bound);
        Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.Zero));
        await stopNext.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(next));
    }

    [Test]
    public async Task ALoopWhoseOnlyWaiterFailedInItsProgressHandlerStopsPolling()
    {
        // Arrange: the task would stay running for the whole 10 min wait.
        var provider = ProviderCase.TencentVod;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        var exception = Assert.CatchAsync<InvalidOperationException>(
            () => Within(client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromMinutes(10) }, new ThrowingProgress())));

        // Assert: one poll, and no sleep before another.
        var reads = await ReadsAsync(provider);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Is.EqualTo("progress handler failed"));
            Assert.That(reads, Has.Count.EqualTo(1));
            Assert.That(Clock.RequestedDelays, Is.Empty);
        }
    }

    [Test]
    public async Task AnInitialIntervalAboveTheMaximumStartsAtTheMaximum()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        var wait = new WaitOptions
        {
            Timeout = TimeSpan.FromSeconds(20),
            InitialInterval = TimeSpan.FromSeconds(10),
            MaxInterval = TimeSpan.FromSeconds(4),
            Multiplier = 2,
            Jitter = 0,
        };

        // Act
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        Assert.That(Clock.RequestedDelays, Is.EqualTo(Enumerable.Repeat(TimeSpan.FromSeconds(4), 5)));
    }

    [Test]
    public void BackoffJitterSpreadsTheIntervalEvenlyOverPlusMinusJitter()
    {
        // Arrange: the random source at its extremes and its middle.
        var low = new PollBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 1.5, 0.2, TimeSpan.Zero, () => 0.0);
        var middle = new PollBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 1.5, 0.2, TimeSpan.Zero, () => 0.5);
        var high = new PollBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), 1.5, 0.2, TimeSpan.Zero, () => 0.75);

        // Act, Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(low.Jittered(TimeSpan.FromSeconds(10)), Is.EqualTo(TimeSpan.FromSeconds(8)));
            Assert.That(middle.Jittered(TimeSpan.FromSeconds(10)), Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(high.Jittered(TimeSpan.FromSeconds(10)), Is.EqualTo(TimeSpan.FromSeconds(11)));
        }
    }

    [Test]
    public void BackoffStartsAtTheSmallerOfInitialAndMaximumAndGrowsToTheMaximum()
    {
        // Arrange
        var capped = new PollBackoff(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30), 1.5, 0, TimeSpan.Zero);
        var growing = new PollBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 1.5, 0, TimeSpan.Zero);

        // Act, Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(capped.Initial, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(growing.Initial, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(growing.Next(TimeSpan.FromSeconds(10)), Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(growing.Next(TimeSpan.FromSeconds(25)), Is.EqualTo(TimeSpan.FromSeconds(30)));
        }
    }

    [Test]
    public void ASnapshotDiffersFromTheLastWhenOnlyItsProviderStateChanged()
    {
        // Arrange: same state, progress, outputs and error; the gateway's own status moved on.
        var task = new TaskRef(Provider.Kexiang, "t-1");
        var before = AsyncTasksModelFactory.TaskSnapshot(task, TaskState.Running, providerState: "processing");
        var after = AsyncTasksModelFactory.TaskSnapshot(task, TaskState.Running, providerState: "rendering");
        var same = AsyncTasksModelFactory.TaskSnapshot(task, TaskState.Running, providerState: "processing");

        // Act, Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Waiter.Differs(before, after), Is.True);
            Assert.That(Waiter.Differs(before, same), Is.False);
        }
    }

    /// <summary>Waits in real time (bounded) for a condition another thread makes true.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not reached in time");
            await Task.Delay(5);
        }
    }
}
