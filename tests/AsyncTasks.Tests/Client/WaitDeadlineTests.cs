using System.Diagnostics;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// A wait's timeout bounds everything inside it: a Retry-After far beyond the deadline, the retries of one poll, an
/// answer still in flight. On the fake clock the wait ends exactly at its deadline; on the real clock within a second
/// of it.
/// </summary>
[TestFixture]
internal sealed class WaitDeadlineTests : ClientTestBase
{
    [Test]
    public async Task ARetryAfterEndingAfterTheDeadlineEndsTheWaitAtTheDeadlineNotAfterTheSleep()
    {
        // Arrange: every read is a 429 asking for a day; retries would sleep up to MaxRetryAfter (10 min) each.
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()),
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "86400"));
        var client = CreateClient(CreateOptions(o =>
        {
            o.Retry.MaxRetries = 3;
            o.Retry.MaxRetryAfter = TimeSpan.FromMinutes(10);
        }));
        var wait = new WaitOptions { Timeout = TimeSpan.FromMinutes(2), InitialInterval = TimeSpan.FromSeconds(30) };

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromMinutes(2)), "the wait ends at its deadline on the virtual clock");
            Assert.That(Clock.RequestedDelays.Where(d => d >= TimeSpan.FromMinutes(10)), Is.Empty, "no retry sleeps past the deadline");
            Assert.That(exception.LastSnapshot?.State, Is.EqualTo(TaskState.Running));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(2), "the running read, then one 429 not retried");
        }
    }

    [TestCase(89, 3)]
    [TestCase(90, 2)]
    public async Task ARetryIsMadeOnlyWhenItWouldStartBeforeTheDeadline(int retryAfterSeconds, int reads)
    {
        // Arrange: a running read at 0:00, then 429s asking for retryAfterSeconds; the wait ends at 2:00. From the 429 at
        // 0:30, a retry after 89 s starts at 1:59 (made; its own 429 is not retried); one after 90 s would start at the
        // deadline itself (not made).
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()),
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var client = CreateClient(CreateOptions(o =>
        {
            o.Retry.MaxRetries = 3;
            o.Retry.MaxRetryAfter = TimeSpan.FromMinutes(10);
        }));
        var wait = new WaitOptions { Timeout = TimeSpan.FromMinutes(2), InitialInterval = TimeSpan.FromSeconds(30), Jitter = 0 };

        // Act
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(reads));
        }
    }

    [Test]
    public async Task OverRealHttpADayLongRetryAfterEndsTheWaitWithinASecondOfItsTimeout()
    {
        // Arrange: the real clock; MaxRetryAfter allows the whole day.
        var provider = ProviderCase.Mountsea;
        await StubReadAsync(provider, WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "86400"));
        using var client = new TaskClient(
            CreateOptions(o =>
            {
                o.Retry.MaxRetries = 3;
                o.Retry.MaxRetryAfter = TimeSpan.FromDays(2);
            }),
            LoggerFactory);
        var wait = new WaitOptions { Timeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(exception.Timeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
        }
    }

    [Test]
    public async Task OverRealHttpAnAnswerStillInFlightAtTheDeadlineEndsTheWaitWithinASecondOfItsTimeout()
    {
        // Arrange: the first read answers at once, the next ones after 15 s (the request timeout is 30 s).
        var provider = ProviderCase.Kexiang;
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(15)));
        using var client = new TaskClient(CreateOptions(o => o.RequestTimeout = TimeSpan.FromSeconds(30)), LoggerFactory);
        var wait = new WaitOptions { Timeout = TimeSpan.FromMilliseconds(1500), InitialInterval = TimeSpan.FromMilliseconds(100) };
        var clock = Stopwatch.StartNew();

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(2500)));
            Assert.That(exception.LastSnapshot?.State, Is.EqualTo(TaskState.Running), "the last snapshot travels with the timeout");
        }
    }

    [Test]
    public async Task AWaiterWithALaterDeadlineKeepsPollingWhenAnEarlierOneEndsDuringASlowAnswer()
    {
        // Arrange: every answer takes 800 ms; one waiter gives up after 500 ms, the other waits for the result.
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromMilliseconds(800)),
            Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        using var client = new TaskClient(CreateOptions(), LoggerFactory);

        // Act
        // Concurrent waits share one loop, so only their timeouts differ.
        var early = client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromMilliseconds(500), InitialInterval = TimeSpan.FromMilliseconds(50) });
        var late = client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromSeconds(15), InitialInterval = TimeSpan.FromMilliseconds(50) });

        // Assert
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(early));
        Assert.That((await Within(late)).State, Is.EqualTo(TaskState.Succeeded));
    }

    [Test]
    public void AWaitOnAGatewayThatRefusesConnectionsRetriesAndEndsAtItsTimeout()
    {
        // Arrange: a loopback port that was just free, so nothing listens on it; two retries per poll.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = ProviderCase.Kexiang;
        var client = CreateClient(CreateOptions(o => o.For(provider.Provider).BaseUrl = new Uri($"http://127.0.0.1:{port}/")));
        var wait = new WaitOptions { Timeout = TimeSpan.FromMinutes(1), InitialInterval = TimeSpan.FromSeconds(20), Jitter = 0 };

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert: each failed connection was retried, each failed poll was followed by the next one.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(exception.LastSnapshot, Is.Null);
            Assert.That(LogText(), Does.Contain("Retrying a kexiang request (attempt 2, HTTP (null))"));
            Assert.That(LogText(), Does.Contain("failed transiently (Transport, HTTP (null)); polling again in 00:00:20"));
        }
    }

    [Test]
    public async Task ATimeoutLongerThanATimerTakesStillWaits()
    {
        // Arrange: 100 days is beyond what one timer accepts (about 24.8 days).
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task, new WaitOptions { Timeout = TimeSpan.FromDays(100) }));

        // Assert
        Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
    }
}
