using System.Diagnostics.Metrics;
using System.Globalization;
using AsyncTasks.Tests.Infrastructure.WireMock;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// What a client logs about reads, waits and retries: each read (debug), each new state of a waited task (once),
/// a poll that failed transiently and when the next one comes, each retried request with its attempt, status and
/// delay, and how every wait ended — the same outcome names as the <c>asynctasks.waits</c> metric.
/// </summary>
[TestFixture]
internal sealed class WaitAndRetryLogTests : ClientTestBase
{
    private static readonly WaitOptions NoJitter = new() { InitialInterval = TimeSpan.FromSeconds(2), Jitter = 0 };

    [Test]
    public async Task EachNewStateOfAWaitedTaskIsLoggedOnceWhenFirstSeen()
    {
        // Arrange: queued, queued, running, running, succeeded.
        var provider = ProviderCase.Kexiang;
        await StubSequenceAsync(
            provider,
            Ok(provider.QueuedBody()),
            Ok(provider.QueuedBody()),
            Ok(provider.RunningBody()),
            Ok(provider.RunningBody()),
            Ok(provider.SucceededBody("https://cdn.example.com/out.png")));
        var client = CreateClient();
        var seen = new List<TaskSnapshot>();

        // Act
        await Within(client.WaitAsync(provider.Task, NoJitter, new SynchronousProgress(seen.Add)));

        // Assert
        var expected = seen.Select(s => $"Task {provider.Task} changed to {s.State.GetName()} ({s.ProviderState})");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.Select(s => s.State), Is.EqualTo(new[] { TaskState.Queued, TaskState.Running, TaskState.Succeeded }));
            Assert.That(Messages(LogLevel.Information, 2), Is.EqualTo(expected));
        }
    }

    [Test]
    public async Task APollThatFailedTransientlyIsLoggedWithTheDelayBeforeTheNextPoll()
    {
        // Arrange: no request retries; the poll loop waits as the server asks (7 s, more than its own 2 s).
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(503, "{}").WithHeader("Retry-After", "7"),
            Ok(provider.SucceededBody("https://cdn.example.com/out.png")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));

        // Act
        await Within(client.WaitAsync(provider.Task, NoJitter));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                Messages(LogLevel.Warning, 4),
                Is.EqualTo(new[] { $"Reading {provider.Task} failed transiently (Server, HTTP 503); polling again in 00:00:07" }));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(7) }));
        }
    }

    [Test]
    public async Task AWaitThatSucceededIsLoggedAsSucceeded()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var client = CreateClient();

        // Act
        await Within(client.WaitAsync(provider.Task));

        // Assert
        Assert.That(Messages(LogLevel.Information, 5), Is.EqualTo(new[] { $"Wait for {provider.Task} ended: succeeded" }));
    }

    [Test]
    public async Task AWaitThatTimedOutIsLoggedAsAWaitTimeout()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromSeconds(30) })));

        // Assert
        Assert.That(Messages(LogLevel.Information, 5), Is.EqualTo(new[] { $"Wait for {provider.Task} ended: wait_timeout" }));
    }

    [Test]
    public async Task AWaitCancelledByItsCallerIsLoggedSo()
    {
        // Arrange: a manual clock; the loop sleeps after its first poll.
        Clock = new FakeTimeProvider(autoAdvance: false);
        var provider = ProviderCase.TencentVod;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        using var stop = new CancellationTokenSource();
        var wait = client.WaitAsync(provider.Task, cancellationToken: stop.Token);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act
        await stop.CancelAsync();

        // Assert
        Assert.CatchAsync<OperationCanceledException>(() => Within(wait));
        Assert.That(Messages(LogLevel.Information, 5), Is.EqualTo(new[] { $"Wait for {provider.Task} ended: cancelled_by_caller" }));
    }

    [Test]
    public async Task AWaitEndedByDisposingTheClientSaysSoAndIsLoggedAsAnError()
    {
        // Arrange
        Clock = new FakeTimeProvider(autoAdvance: false);
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        var wait = client.WaitAsync(provider.Task);
        await UntilAsync(() => Clock.PendingTimers == 1);

        // Act
        client.Dispose();

        // Assert
        var exception = Assert.ThrowsAsync<ObjectDisposedException>(() => Within(wait));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ObjectName, Is.EqualTo("TaskClient"));
            Assert.That(exception.Message, Does.StartWith("The TaskClient was disposed during the wait."));
            Assert.That(Messages(LogLevel.Information, 5), Is.EqualTo(new[] { $"Wait for {provider.Task} ended: error" }));
        }
    }

    [Test]
    public async Task AReadIsLoggedAtDebugLevelWithItsStateAndProgress()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        var progress = snapshot.Progress?.ToString(CultureInfo.InvariantCulture) ?? "(null)";
        Assert.That(
            Messages(LogLevel.Debug, 1),
            Is.EqualTo(new[] { $"Read {provider.Task}: running ({snapshot.ProviderState}), progress {progress}" }));
    }

    [Test]
    public async Task EachRetriedReadIsLoggedWithItsProviderAttemptStatusAndJitteredDelay()
    {
        // Arrange: 503, 502, then the answer; retries 1 s and 2 s apart before jitter.
        var provider = ProviderCase.Mountsea;
        await StubSequenceAsync(
            provider,
            WireMockResponse.WithStatus(503),
            WireMockResponse.WithStatus(502),
            Ok(provider.SucceededBody("https://cdn.example.com/out.mp4")));
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(provider.Task));

        // Assert
        var delays = Clock.RequestedDelays;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(delays, Has.Count.EqualTo(2));
            Assert.That(delays, Is.Not.EqualTo(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) }), "the delays are jittered");
            Assert.That(delays.All(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(8)), Is.True, "within the maximum delay");
            AssertRetryLogs(
                ("Retrying a mountsea request (attempt 1, HTTP 503) in ", delays[0]),
                ("Retrying a mountsea request (attempt 2, HTTP 502) in ", delays[^1]));
        }
    }

    [Test]
    public async Task ARetriedDownloadIsLoggedAndCountedAsADownload()
    {
        // Arrange: the file answers 503 once.
        var provider = ProviderCase.Duomi;
        var url = new Uri(BaseUri, "files/retried.png");
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        await Server.AddStubAsync(
            WireMockStub.Get("/files/retried.png").InScenario("retried", WireMockStub.ScenarioStarted, "ok").RespondingWith(WireMockResponse.WithStatus(503)));
        await Server.AddStubAsync(WireMockStub.Get("/files/retried.png").InScenario("retried", "ok").RespondingWith(WireMockResponse.Binary(200, [1, 2, 3])));
        var client = CreateClient();
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();
        var retries = new List<(long Value, string? Provider)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "AsyncTasks" && instrument.Name == "asynctasks.retries")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (retries)
            {
                retries.Add((value, tags.ToArray().Single(t => t.Key == "provider").Value as string));
            }
        });
        listener.Start();

        // Act
        var written = await Within(client.DownloadAsync(output, destination));

        // Assert
        var delay = Clock.RequestedDelays.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(3));
            AssertRetryLogs(("Retrying a download request (attempt 1, HTTP 503) in ", delay));
            lock (retries)
            {
                Assert.That(retries, Is.EqualTo(new[] { (1L, (string?)"download") }));
            }
        }
    }

    /// <summary>The messages logged at <paramref name="level"/> with event <paramref name="eventId"/>, oldest first.</summary>
    private string[] Messages(LogLevel level, int eventId) =>
        [.. Logs.GetSnapshot().Where(e => e.Level == level && e.Id.Id == eventId).Select(e => e.Message)];

    /// <summary>
    /// Checks the retry warnings: each its exact text up to the delay, then the delay the clock was asked for (which
    /// counts whole milliseconds, so the logged one may exceed it by less than one).
    /// </summary>
    private void AssertRetryLogs(params (string Text, TimeSpan Delay)[] expected)
    {
        var messages = Messages(LogLevel.Warning, 3);
        Assert.That(messages, Has.Length.EqualTo(expected.Length));
        foreach (var (message, (text, delay)) in messages.Zip(expected))
        {
            Assert.That(message, Does.StartWith(text));
            var logged = TimeSpan.Parse(message[text.Length..], CultureInfo.InvariantCulture);
            Assert.That(logged - delay, Is.GreaterThanOrEqualTo(TimeSpan.Zero).And.LessThan(TimeSpan.FromMilliseconds(1)), message);
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

    /// <summary>Reports synchronously on the polling thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TaskSnapshot> report) : IProgress<TaskSnapshot>
    {
        public void Report(TaskSnapshot value) => report(value);
    }
}
