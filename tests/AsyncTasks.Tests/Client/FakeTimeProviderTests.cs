using Polly;

namespace AsyncTasks.Tests.Client;

/// <summary>The fake clock the client tests rely on: it must never sleep and must record what it was asked for.</summary>
[TestFixture]
internal sealed class FakeTimeProviderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Test]
    public void StartsAtTheGivenTimeAndStandsStill()
    {
        // Arrange
        var start = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);

        // Act
        var clock = new FakeTimeProvider(start);
        var first = clock.GetUtcNow();
        Thread.Sleep(20);
        var second = clock.GetUtcNow();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(start));
            Assert.That(second, Is.EqualTo(start));
            Assert.That(clock.Elapsed, Is.EqualTo(TimeSpan.Zero));
            Assert.That(clock.RequestedDelays, Is.Empty);
        }
    }

    [Test]
    public async Task AutoAdvanceCompletesATaskDelayAtOnceAndMovesTheClockByItsDueTime()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        // Act
        await Task.Delay(TimeSpan.FromHours(3), clock).WaitAsync(Bound);
        await Task.Delay(TimeSpan.FromSeconds(1.5), clock).WaitAsync(Bound);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.Elapsed, Is.EqualTo(TimeSpan.FromHours(3) + TimeSpan.FromSeconds(1.5)));
            Assert.That(clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromHours(3), TimeSpan.FromSeconds(1.5) }));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "no real sleep");
        }
    }

    [Test]
    public async Task TimestampsFollowTheVirtualClock()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var started = clock.GetTimestamp();

        // Act
        await Task.Delay(TimeSpan.FromSeconds(42), clock).WaitAsync(Bound);

        // Assert
        Assert.That(clock.GetElapsedTime(started), Is.EqualTo(TimeSpan.FromSeconds(42)));
    }

    [Test]
    public void AnInfiniteTimerNeverFiresAndRecordsNothing()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var fired = 0;

        // Act
        using var timer = clock.CreateTimer(_ => Interlocked.Increment(ref fired), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromDays(365));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Volatile.Read(ref fired), Is.Zero);
            Assert.That(clock.RequestedDelays, Is.Empty);
        }
    }

    [Test]
    public async Task ChangeReschedulesAndIsRecorded()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Act
        var changed = timer.Change(TimeSpan.FromSeconds(7), Timeout.InfiniteTimeSpan);
        await fired.Task.WaitAsync(Bound);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(changed, Is.True);
            Assert.That(clock.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(7) }));
        }
    }

    [Test]
    public void ManualModeFiresDueTimersInOrderWithTheClockAtTheirDueTime()
    {
        // Arrange
        var clock = new FakeTimeProvider(autoAdvance: false);
        var seen = new List<(string Name, TimeSpan At)>();
        using var late = clock.CreateTimer(_ => seen.Add(("late", clock.Elapsed)), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => seen.Add(("early", clock.Elapsed)), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var never = clock.CreateTimer(_ => seen.Add(("never", clock.Elapsed)), null, TimeSpan.FromSeconds(60), Timeout.InfiniteTimeSpan);

        // Act
        clock.Advance(TimeSpan.FromSeconds(2));
        var afterTwo = seen.Count;
        clock.Advance(TimeSpan.FromSeconds(10));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterTwo, Is.Zero);
            Assert.That(seen, Is.EqualTo(new[] { ("early", TimeSpan.FromSeconds(3)), ("late", TimeSpan.FromSeconds(10)) }));
            Assert.That(clock.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(12)));
            Assert.That(clock.PendingTimers, Is.EqualTo(1));
        }
    }

    [Test]
    public void ManualModeRepeatsAPeriodicTimer()
    {
        // Arrange
        var clock = new FakeTimeProvider(autoAdvance: false);
        var ticks = 0;
        using var timer = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        // Act
        clock.Advance(TimeSpan.FromSeconds(6));

        // Assert: at 1, 3 and 5 seconds.
        Assert.That(ticks, Is.EqualTo(3));
    }

    [Test]
    public void SetUtcNowMovesForwardAndFiresWhatFallsDue()
    {
        // Arrange
        var clock = new FakeTimeProvider(autoAdvance: false);
        var fired = false;
        using var timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);

        // Act
        clock.SetUtcNow(clock.Start.AddMinutes(5));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fired, Is.True);
            Assert.That(clock.GetUtcNow(), Is.EqualTo(clock.Start.AddMinutes(5)));
            Assert.That(() => clock.SetUtcNow(clock.Start), Throws.InstanceOf<ArgumentOutOfRangeException>(), "never backwards");
        }
    }

    [Test]
    public void ADisposedTimerDoesNotFire()
    {
        // Arrange
        var clock = new FakeTimeProvider(autoAdvance: false);
        var fired = false;
        var timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        // Act
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(5));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fired, Is.False);
            Assert.That(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan), Is.False);
        }
    }

    [Test]
    public async Task ACancelledDelayEndsWithoutMovingTheClockInManualMode()
    {
        // Arrange
        var clock = new FakeTimeProvider(autoAdvance: false);
        using var cancellation = new CancellationTokenSource();
        var delay = Task.Delay(TimeSpan.FromMinutes(1), clock, cancellation.Token);

        // Act
        await cancellation.CancelAsync();

        // Assert
        Assert.That(async () => await delay.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(clock.Elapsed, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void NegativeDueTimesAreRefused()
    {
        // Arrange
        var clock = new FakeTimeProvider();

        // Act, Assert
        Assert.That(
            () => clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(-2), Timeout.InfiniteTimeSpan),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task PollyRetriesOnTheFakeClockDoNotSleep()
    {
        // Arrange: a Polly pipeline like the facade's, retrying three times with a long base delay.
        var clock = new FakeTimeProvider();
        var pipeline = new Polly.ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new Polly.Retry.RetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                Delay = TimeSpan.FromSeconds(10),
                BackoffType = Polly.DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = new Polly.PredicateBuilder().Handle<InvalidOperationException>(),
            })
            .Build();
        var attempts = 0;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        // Act
        await pipeline.ExecuteAsync(_ =>
        {
            if (++attempts < 4)
            {
                throw new InvalidOperationException("transient");
            }

            return ValueTask.CompletedTask;
        }).AsTask().WaitAsync(Bound);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempts, Is.EqualTo(4));
            Assert.That(clock.RequestedDelays, Is.EqualTo(Enumerable.Repeat(TimeSpan.FromSeconds(10), 3)));
            Assert.That(clock.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        }
    }
}
