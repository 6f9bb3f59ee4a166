using System.Globalization;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// The delays of a wait, read from the fake clock: the provider's initial interval growing ×1.5 to a 30 s cap, each
/// within ±20% jitter, and Retry-After (seconds and HTTP date) honoured up to <see cref="RetryOptions.MaxRetryAfter"/>.
/// </summary>
[TestFixture]
internal sealed class WaitBackoffTests : ClientTestBase
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(1);

    private static IEnumerable<ProviderCase> Providers => ProviderCase.All;

    [TestCaseSource(nameof(Providers))]
    public async Task DelaysGrowByHalfFromTheProvidersInitialIntervalToTheCapWithinTwentyPercentJitter(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));
        var wait = new WaitOptions { Timeout = TimeSpan.FromMinutes(10) };

        // Act
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert
        var delays = Clock.RequestedDelays;
        var reads = await ReadsAsync(provider);
        AssertBackoff(delays, provider.DefaultPollInterval, jitter: 0.2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reads, Has.Count.EqualTo(delays.Count));
            Assert.That(delays.Aggregate(TimeSpan.Zero, (a, b) => a + b), Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(delays.Take(delays.Count - 1).Count(d => d > Cap * 0.79), Is.GreaterThan(5), "the cap is reached and held");
            Assert.That(
                delays.Take(4).Zip(Intervals(provider.DefaultPollInterval)).Select(p => p.First / p.Second).Distinct().Count(),
                Is.GreaterThan(1),
                "the delays are jittered, not the bare intervals");
        }
    }

    [Test]
    public async Task WaitOptionsOverrideTheProviderInterval()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();
        var wait = new WaitOptions
        {
            Timeout = TimeSpan.FromMinutes(1),
            InitialInterval = TimeSpan.FromSeconds(1),
            Multiplier = 2,
            MaxInterval = TimeSpan.FromSeconds(8),
            Jitter = 0,
        };

        // Act
        Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task, wait)));

        // Assert: 1, 2, 4, 8, 8, ... and the last one cut at the deadline.
        var expected = new List<TimeSpan> { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) };
        expected.AddRange(Enumerable.Repeat(TimeSpan.FromSeconds(8), 6));
        expected.Add(TimeSpan.FromSeconds(5));
        Assert.That(Clock.RequestedDelays, Is.EqualTo(expected));
    }

    [Test]
    public async Task TheProviderPollIntervalSettingReplacesItsDefault()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubSequenceAsync(provider, Ok(provider.RunningBody()), Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient(CreateOptions(o => o.For(Provider.Kexiang).PollInterval = TimeSpan.FromSeconds(10)));

        // Act
        await Within(client.WaitAsync(provider.Task, new WaitOptions { Jitter = 0 }));

        // Assert
        Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(10) }));
    }

    [Test]
    public async Task RetryAfterInSecondsIsHonouredByTheWait()
    {
        // Arrange: no request-level retry, so the 429 reaches the poll loop.
        var provider = ProviderCase.Duomi;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, """{"code":429,"msg":"slow down"}""").WithHeader("Retry-After", "20"),
            Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(20) }), "Retry-After wins over the 2 s interval");
        }
    }

    [Test]
    public async Task RetryAfterShorterThanTheIntervalDoesNotShortenIt()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, """{"error":{"code":2007,"message":"RPM"}}""").WithHeader("Retry-After", "1"),
            Ok(provider.SucceededBody("https://cdn.example.com/a.mp4")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));

        // Act
        await Within(client.WaitAsync(provider.Task, new WaitOptions { Jitter = 0 }));

        // Assert
        Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(5) }));
    }

    [Test]
    public async Task RetryAfterAsAnHttpDateIsHonouredByTheWait()
    {
        // Arrange: the date is read against the clock of the machine, so the fake clock starts at the real time here.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Clock = new FakeTimeProvider(start);
        var provider = ProviderCase.Mountsea;
        var retryAt = start.AddSeconds(40);
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, """{"statusCode":429,"message":"slow down"}""").WithHeader("Retry-After", retryAt.ToString("r", CultureInfo.InvariantCulture)),
            Ok(provider.SucceededBody("https://cdn.example.com/a.mp4")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(1));
            Assert.That(Clock.RequestedDelays[0], Is.InRange(TimeSpan.FromSeconds(37), TimeSpan.FromSeconds(41)));
        }
    }

    [Test]
    public async Task RetryAfterAsAnHttpDateIsReadOnTheClientsClock()
    {
        // Arrange: the fake clock is years away from the machine's; only the client's clock gives 40 s.
        var provider = ProviderCase.Mountsea;
        var retryAt = Clock.Start.AddSeconds(40);
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, """{"statusCode":429,"message":"slow down"}""").WithHeader("Retry-After", retryAt.ToString("r", CultureInfo.InvariantCulture)),
            Ok(provider.SucceededBody("https://cdn.example.com/a.mp4")));
        var client = CreateClient(CreateOptions(o => o.Retry.MaxRetries = 0));

        // Act
        await Within(client.WaitAsync(provider.Task));

        // Assert
        Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(40) }));
    }

    [Test]
    public async Task RetryAfterIsCappedByMaxRetryAfterWithinTheWait()
    {
        // Arrange
        var provider = ProviderCase.TencentVod;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "3600"),
            Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient(CreateOptions(o =>
        {
            o.Retry.MaxRetries = 0;
            o.Retry.MaxRetryAfter = TimeSpan.FromSeconds(45);
        }));

        // Act
        await Within(client.WaitAsync(provider.Task));

        // Assert
        Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(45) }));
    }

    [Test]
    public async Task RetryAfterIsHonouredAndCappedByTheRequestRetries()
    {
        // Arrange: request-level retries see the 429s first.
        var provider = ProviderCase.Kexiang;
        await StubSequenceAsync(
            provider,
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "12"),
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "600"),
            Ok(provider.SucceededBody("https://cdn.example.com/a.png")));
        var client = CreateClient(CreateOptions(o =>
        {
            o.Retry.MaxRetries = 2;
            o.Retry.MaxRetryAfter = TimeSpan.FromSeconds(50);
        }));

        // Act
        var snapshot = await Within(client.WaitAsync(provider.Task));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(new[] { TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(50) }));
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(3));
        }
    }

    /// <summary>The bare intervals: initial, ×1.5 each time, capped at 30 s.</summary>
    private static IEnumerable<TimeSpan> Intervals(TimeSpan initial)
    {
        var interval = initial;
        while (true)
        {
            yield return interval;
            interval = interval * 1.5 < Cap ? interval * 1.5 : Cap;
        }
    }

    private static void AssertBackoff(IReadOnlyList<TimeSpan> delays, TimeSpan initial, double jitter)
    {
        Assert.That(delays, Has.Count.GreaterThan(10));
        using (Assert.EnterMultipleScope())
        {
            var index = 0;
            foreach (var interval in Intervals(initial).Take(delays.Count))
            {
                var low = (interval * (1 - jitter)) - Tolerance;
                var high = (interval * (1 + jitter)) + Tolerance;
                if (index == delays.Count - 1)
                {
                    // The last delay is cut short at the deadline.
                    Assert.That(delays[index], Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(high), $"last delay ({interval} interval)");
                }
                else
                {
                    Assert.That(delays[index], Is.InRange(low, high), $"delay {index} ({interval} interval)");
                }

                index++;
            }
        }
    }
}
