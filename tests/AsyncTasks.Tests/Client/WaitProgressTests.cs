using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// What a waiter is told along the way: <see cref="IProgress{T}"/> and <see cref="ITaskClient.WatchAsync"/> see the
/// first snapshot, then only changes, ending with the terminal one.
/// </summary>
[TestFixture]
internal sealed class WaitProgressTests : ClientTestBase
{
    private static IEnumerable<ProviderCase> Providers => ProviderCase.All;

    [TestCaseSource(nameof(Providers))]
    public async Task ProgressIsToldOfTheFirstSnapshotAndEachChange(ProviderCase provider)
    {
        // Arrange
        await StubRepeatedStatesAsync(provider);
        var client = CreateClient();
        var progress = new RecordingProgress();

        // Act
        var final = await Within(client.WaitAsync(provider.Task, progress: progress));

        // Assert
        var reported = progress.Reports;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reported.Select(s => s.State), Is.EqualTo(ExpectedStates(provider)));
            Assert.That(reported[^1], Is.SameAs(final));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(5));
        }
    }

    [TestCaseSource(nameof(Providers))]
    public async Task WatchYieldsTheFirstSnapshotThenOnlyChangesEndingWithTheTerminalOne(ProviderCase provider)
    {
        // Arrange
        await StubRepeatedStatesAsync(provider);
        var client = CreateClient();

        // Act
        var seen = new List<TaskSnapshot>();
        await Within(Task.Run(async () =>
        {
            await foreach (var snapshot in client.WatchAsync(provider.Task))
            {
                seen.Add(snapshot);
            }
        }));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.Select(s => s.State), Is.EqualTo(ExpectedStates(provider)));
            Assert.That(seen[^1].IsTerminal, Is.True);
            Assert.That(seen.Take(seen.Count - 1).Any(s => s.IsTerminal), Is.False);
        }
    }

    [Test]
    public async Task AProgressChangeWithinOneStateIsReported()
    {
        // Arrange: tencent reports progress; 50% twice, then 80%, then done.
        var provider = ProviderCase.TencentVod;
        var eighty = provider.RunningBody().Replace("\"Progress\":50", "\"Progress\":80", StringComparison.Ordinal);
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()),
            Ok(provider.RunningBody()),
            Ok(eighty),
            Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient();
        var progress = new RecordingProgress();

        // Act
        await Within(client.WaitAsync(provider.Task, progress: progress));

        // Assert
        Assert.That(progress.Reports.Select(s => s.Progress), Is.EqualTo(new int?[] { 50, 80, 100 }));
    }

    [Test]
    public async Task AWatchEndsWithTheErrorThatEndedTheWait()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()),
            WireMockResponse.Json(401, """{"statusCode":401,"message":"Unauthorized"}"""));
        var client = CreateClient();
        var seen = new List<TaskSnapshot>();

        // Act
        var exception = Assert.ThrowsAsync<TaskClientException>(() => Within(Task.Run(async () =>
        {
            await foreach (var snapshot in client.WatchAsync(provider.Task))
            {
                seen.Add(snapshot);
            }
        })));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Kind, Is.EqualTo(TaskErrorKind.Authentication));
            Assert.That(seen.Select(s => s.State), Is.EqualTo(new[] { TaskState.Running }));
        }
    }

    [Test]
    public async Task AWatchThatTimesOutEndsWithTheWaitTimeout()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(Task.Run(async () =>
        {
            await foreach (var unused in client.WatchAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }))
            {
                // Only the end matters.
            }
        })));

        // Assert
        Assert.That(exception.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
    }

    [Test]
    public async Task AWatchLeftEarlyStopsPolling()
    {
        // Arrange: a task that never finishes, watched with a long timeout (over a thousand polls on the fake clock).
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act: take the first snapshot and leave; then give a loop left running time to show itself.
        TaskSnapshot? first = null;
        await Within(Task.Run(async () =>
        {
            await foreach (var snapshot in client.WatchAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromHours(10) }))
            {
                first = snapshot;
                break;
            }
        }));
        var readsWhenLeft = (await ReadsAsync(provider)).Count;
        await Task.Delay(300);
        var readsLater = (await ReadsAsync(provider)).Count;

        // Assert: at most the poll in flight when the watcher left completes.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first?.State, Is.EqualTo(TaskState.Running));
            Assert.That(readsLater, Is.LessThanOrEqualTo(readsWhenLeft + 1), "no polling for nobody");
            Assert.That(Clock.Elapsed, Is.LessThan(TimeSpan.FromHours(1)), "the loop did not run on to the watch's timeout");
        }
    }

    [Test]
    public async Task AProgressThatThrowsFailsOnlyItsOwnWait()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()).WithFixedDelay(TimeSpan.FromMilliseconds(200)),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/a.mp4")));
        var client = CreateClient();
        var faulty = client.WaitAsync(provider.Task, progress: new ThrowingProgress());
        var healthy = client.WaitAsync(provider.Task);

        // Act
        var snapshot = await Within(healthy);
        var exception = Assert.CatchAsync<InvalidOperationException>(() => Within(faulty));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(exception.Message, Is.EqualTo("progress handler failed"));
        }
    }

    /// <summary>Queued, queued, running, running, succeeded.</summary>
    private Task StubRepeatedStatesAsync(ProviderCase provider) =>
        StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()),
            Ok(provider.QueuedBody()),
            Ok(provider.RunningBody()),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.bin")));

    private static TaskState[] ExpectedStates(ProviderCase provider) =>
        provider.QueuedState == TaskState.Running
            ? [TaskState.Running, TaskState.Succeeded]
            : [TaskState.Queued, TaskState.Running, TaskState.Succeeded];
}
