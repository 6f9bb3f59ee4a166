using System.Diagnostics;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// Concurrent waits for one task in one client share one poll loop; each waiter can leave (cancel, time out)
/// without disturbing the others; cancellation ends a wait promptly even while a poll is in flight.
/// </summary>
[TestFixture]
internal sealed class WaitSharingAndCancellationTests : ClientTestBase
{
    private static readonly TimeSpan Prompt = TimeSpan.FromMilliseconds(100);

    [Test]
    public async Task TwoConcurrentWaitsOnOneTaskShareOnePollLoop()
    {
        // Arrange: the first answer is slow, so the second wait joins while the first poll is in flight.
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()).WithFixedDelay(TimeSpan.FromMilliseconds(200)),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var client = CreateClient();

        // Act: two equal but distinct references.
        var first = client.WaitAsync(new TaskRef(provider.Provider, provider.TaskId));
        var second = client.WaitAsync(new TaskRef(provider.Provider, provider.TaskId));
        var results = await Within(Task.WhenAll(first, second));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results[0].State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(results[1], Is.SameAs(results[0]), "both waiters get the loop's final snapshot");
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3), "one loop's polls, not two");
        }
    }

    [Test]
    public async Task AWaitAndAWatchOfOneTaskShareOnePollLoop()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()).WithFixedDelay(TimeSpan.FromMilliseconds(200)),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.png")));
        var client = CreateClient();

        // Act
        var wait = client.WaitAsync(provider.Task);
        var watched = await Within(Collect(client.WatchAsync(provider.Task)));
        var waited = await Within(wait);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(waited.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(watched.Select(s => s.State), Is.EqualTo(new[] { TaskState.Queued, TaskState.Running, TaskState.Succeeded }));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3));
        }
    }

    [Test]
    public async Task CancellingOneWaitDoesNotCancelTheOtherOrItsPoll()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()).WithFixedDelay(TimeSpan.FromMilliseconds(300)),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.png")));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);
        using var cancelFirst = new CancellationTokenSource();
        var first = client.WaitAsync(provider.Task, cancellationToken: cancelFirst.Token);
        var second = client.WaitAsync(provider.Task);
        await transport.WhenSentAsync(1).WaitAsync(Bound);

        // Act
        await cancelFirst.CancelAsync();
        var cancelled = Assert.CatchAsync<OperationCanceledException>(() => Within(first));
        var snapshot = await Within(second);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cancelled.CancellationToken, Is.EqualTo(cancelFirst.Token));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3), "the in-flight poll was not cancelled and not repeated");
        }
    }

    [Test]
    public async Task WaitersWithDifferentTimeoutsOnOneLoopEachEndOnTheirOwn()
    {
        // Arrange: twelve running answers (about 3.5 virtual minutes of polling), then success.
        var provider = ProviderCase.TencentVod;
        var answers = Enumerable.Repeat(Ok(provider.RunningBody()), 12).Append(Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        await StubSequenceAsync(provider, [.. answers]);
        var client = CreateClient();

        // Act
        var shortWait = client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromMinutes(1) });
        var longWait = client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromMinutes(30) });
        var timedOut = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(shortWait));
        var snapshot = await Within(longWait);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(timedOut.Timeout, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(13), "one loop served both");
            Assert.That(Clock.Elapsed, Is.GreaterThan(TimeSpan.FromMinutes(1)));
        }
    }

    [Test]
    public async Task AWaitAfterAFinishedOneStartsAFreshLoop()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/a.mp4")));
        var client = CreateClient();

        // Act
        var first = await Within(client.WaitAsync(provider.Task));
        var second = await Within(client.WaitAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(second, Is.Not.SameAs(first));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(2));
        }
    }

    [Test]
    public async Task CancellationEndsAWaitWithinAHundredMillisecondsWhileAPollIsInFlight()
    {
        // Arrange: the poll hangs at the server for 5 s.
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(5)));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);
        using var cancellation = new CancellationTokenSource();
        var wait = client.WaitAsync(provider.Task, cancellationToken: cancellation.Token);
        await transport.WhenSentAsync(1).WaitAsync(Bound);
        await Task.Delay(50);

        // Act
        var stopwatch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        var elapsed = await ElapsedUntilCancelled(wait, stopwatch);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(elapsed, Is.LessThan(Prompt));
            Assert.That(wait.IsCanceled, Is.True);
            Assert.That(transport.Sent, Has.Count.EqualTo(1), "no poll after the cancellation");
        }
    }

    [Test]
    public async Task CancellationEndsAWatchWithinAHundredMillisecondsWhileAPollIsInFlight()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(5)));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);
        using var cancellation = new CancellationTokenSource();
        var seen = new List<TaskSnapshot>();
        var watch = Task.Run(async () =>
        {
            await foreach (var snapshot in client.WatchAsync(provider.Task, cancellationToken: cancellation.Token))
            {
                seen.Add(snapshot);
            }
        });
        await transport.WhenSentAsync(2).WaitAsync(Bound);
        await Task.Delay(50);

        // Act
        var stopwatch = Stopwatch.StartNew();
        await cancellation.CancelAsync();
        var elapsed = await ElapsedUntilCancelled(watch, stopwatch);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(elapsed, Is.LessThan(Prompt));
            Assert.That(seen.Select(s => s.State), Is.EqualTo(new[] { TaskState.Running }));
        }
    }

    [Test]
    public async Task AnAlreadyCancelledTokenEndsTheWaitWithoutARequest()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        // Act
        Assert.CatchAsync<OperationCanceledException>(() => Within(client.WaitAsync(provider.Task, cancellationToken: cancellation.Token)));

        // Assert
        Assert.That(await ReadsAsync(provider), Is.Empty);
    }

    [Test]
    public async Task DisposingTheClientEndsAWaitInProgress()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(3)));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);
        var wait = client.WaitAsync(provider.Task);
        await transport.WhenSentAsync(1).WaitAsync(Bound);

        // Act
        client.Dispose();

        // Assert
        Assert.CatchAsync<ObjectDisposedException>(() => Within(wait));
    }

    [Test]
    public async Task AWaiterAskingForOtherDelaysThanTheRunningLoopsIsRefusedAndOneAskingForTheSameJoins()
    {
        // Arrange: a wait polling every 30 s, on a clock that does not move.
        Clock = new FakeTimeProvider(autoAdvance: false);
        await StubReadAsync(ProviderCase.Mountsea, Ok(ProviderCase.Mountsea.RunningBody()));
        var client = CreateClient();
        var task = ProviderCase.Mountsea.Task;
        using var stop = new CancellationTokenSource();
        var first = client.WaitAsync(task, new WaitOptions { InitialInterval = TimeSpan.FromSeconds(30) }, cancellationToken: stop.Token);

        // Act
        var refused = Assert.Throws<InvalidOperationException>(() => client.WaitAsync(task, new WaitOptions { InitialInterval = TimeSpan.FromSeconds(1) }));
        var same = client.WaitAsync(task, new WaitOptions { InitialInterval = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromHours(1) }, cancellationToken: stop.Token);

        // Assert
        Assert.That(refused.Message, Does.StartWith($"A wait for {task} is already polling in this client with other delays (").And.EndWith(
            "); concurrent waits for one task share one poll loop. Pass the same WaitOptions (only Timeout may differ), or wait once it has ended."));
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(first));
        Assert.CatchAsync<OperationCanceledException>(() => Within(same));
    }

    [Test]
    public async Task AWaiterJoiningWithAnEarlierDeadlineIsTimedOutOnTimeNotAtTheLoopsNextPoll()
    {
        // Arrange: a manual clock; the first waiter's loop sleeps 30 s after its first poll.
        var provider = ProviderCase.Duomi;
        var (client, transport) = await RunningTaskOnManualClockAsync(provider);
        using var stopFirst = new CancellationTokenSource();
        var first = client.WaitAsync(provider.Task, new WaitOptions { InitialInterval = TimeSpan.FromSeconds(30), Jitter = 0 }, cancellationToken: stopFirst.Token);
        await transport.WhenSentAsync(1).WaitAsync(Bound);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act: a second waiter with a 5 s timeout joins the sleeping loop; 5 s pass.
        var second = client.WaitAsync(provider.Task, new WaitOptions { InitialInterval = TimeSpan.FromSeconds(30), Jitter = 0, Timeout = TimeSpan.FromSeconds(5) });
        await UntilAsync(() => Clock.PendingTimers == 1);
        Clock.Advance(TimeSpan.FromSeconds(5));

        // Assert
        var timedOut = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => second.WaitAsync(TimeSpan.FromSeconds(5)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(timedOut.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
            Assert.That(transport.Sent, Has.Count.EqualTo(1), "the other waiter's poll is not brought forward");
            Assert.That(first.IsCompleted, Is.False);
        }

        await stopFirst.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(first));
    }

    [Test]
    public async Task WaitersSharingADeadlineAllTimeOutAtIt()
    {
        // Arrange: a manual clock; three waiters join at the same instant with the same timeout.
        var provider = ProviderCase.Mountsea;
        var (client, transport) = await RunningTaskOnManualClockAsync(provider);
        var options = new WaitOptions { InitialInterval = TimeSpan.FromSeconds(30), Jitter = 0, Timeout = TimeSpan.FromSeconds(5) };
        var waits = Enumerable.Range(0, 3).Select(_ => client.WaitAsync(provider.Task, options)).ToList();
        await transport.WhenSentAsync(1).WaitAsync(Bound);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act
        Clock.Advance(TimeSpan.FromSeconds(5));

        // Assert: every one of them, not only one.
        foreach (var wait in waits)
        {
            Assert.ThrowsAsync<TaskWaitTimeoutException>(() => wait.WaitAsync(TimeSpan.FromSeconds(5)));
        }

        Assert.That(transport.Sent, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ASlowAnswerAtTheEarliestDeadlineEndsThatWaiterOnTimeOnAClockThatDoesNotMoveByItself()
    {
        // Arrange: a manual clock; the first read answers at once, the next ones after 3 s of real time. A waiter
        // without a near deadline starts the loop; after its first poll, a second joins that may wait 1 ms longer
        // than the loop's sleep.
        Clock = new FakeTimeProvider(autoAdvance: false);
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(3)));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);
        using var stopLate = new CancellationTokenSource();
        var late = client.WaitAsync(provider.Task, Options(TimeSpan.FromHours(1)), cancellationToken: stopLate.Token);
        await transport.WhenSentAsync(1).WaitAsync(Bound);
        await UntilAsync(() => Clock.PendingTimers == 1);
        var early = client.WaitAsync(provider.Task, Options(TimeSpan.FromSeconds(10) + TimeSpan.FromMilliseconds(1)));

        // Act: the second poll starts and is still in flight at the early waiter's deadline.
        Clock.Advance(TimeSpan.FromSeconds(10));
        await transport.WhenSentAsync(2).WaitAsync(Bound);

        // Assert: the early waiter ends at its deadline, before the answer, without the clock moving; the other goes on.
        var timedOut = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => early.WaitAsync(TimeSpan.FromSeconds(2)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(timedOut.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(late.IsCompleted, Is.False);
        }

        await stopLate.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Within(late));

        static WaitOptions Options(TimeSpan timeout) => new() { InitialInterval = TimeSpan.FromSeconds(10), Jitter = 0, Timeout = timeout };
    }

    [Test]
    public async Task DisposingTheClientEndsASleepingWaitAtOnce()
    {
        // Arrange: a manual clock that never reaches the next poll.
        var provider = ProviderCase.Kexiang;
        var (client, transport) = await RunningTaskOnManualClockAsync(provider);
        var wait = client.WaitAsync(provider.Task);
        await transport.WhenSentAsync(1).WaitAsync(Bound);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act
        client.Dispose();

        // Assert
        Assert.CatchAsync<ObjectDisposedException>(() => wait.WaitAsync(TimeSpan.FromSeconds(5)));
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

    private static async Task<TimeSpan> ElapsedUntilCancelled(Task task, Stopwatch stopwatch)
    {
        try
        {
            await task.WaitAsync(Bound);
            Assert.Fail("the cancelled call completed normally");
        }
        catch (OperationCanceledException)
        {
            // Expected.
        }

        return stopwatch.Elapsed;
    }

    private static async Task<List<TaskSnapshot>> Collect(IAsyncEnumerable<TaskSnapshot> snapshots)
    {
        var list = new List<TaskSnapshot>();
        await foreach (var snapshot in snapshots)
        {
            list.Add(snapshot);
        }

        return list;
    }
}
