namespace AsyncTasks.Tests.Client;

/// <summary>
/// The client-wide <see cref="AsyncTasksOptions.Wait"/> applies to waits that pass no options, a wait's own
/// options are checked with messages naming each field, and a provider that cannot be called says exactly what
/// to set.
/// </summary>
[TestFixture]
[Category("Client")]
internal sealed class ConfiguredWaitAndUsabilityTests : ClientTestBase
{
    [Test]
    public async Task TheConfiguredWaitOptionsApplyToAWaitWithoutItsOwn()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient(CreateOptions(o => o.Wait = new WaitOptions
        {
            Timeout = TimeSpan.FromSeconds(20),
            InitialInterval = TimeSpan.FromSeconds(4),
            MaxInterval = TimeSpan.FromSeconds(4),
            Multiplier = 1,
            Jitter = 0,
        }));

        // Act
        var exception = Assert.ThrowsAsync<TaskWaitTimeoutException>(() => Within(client.WaitAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Timeout, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(Clock.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(Clock.RequestedDelays, Is.EqualTo(Enumerable.Repeat(TimeSpan.FromSeconds(4), 5)));
            Assert.That(
                exception.Message,
                Is.EqualTo($"duomi: waited 00:00:20 for {provider.Task} without it reaching a final state; last state running (kind Timeout, request id none)"));
        }
    }

    [Test]
    public void AWaitsOwnInvalidOptionsAreListedWithTheirFieldNames()
    {
        // Arrange
        var client = CreateClient();
        var wait = new WaitOptions { Timeout = TimeSpan.Zero, MaxInterval = TimeSpan.Zero, Multiplier = 11 };

        // Act
        var exception = Assert.ThrowsAsync<ArgumentException>(() => Within(client.WaitAsync(ProviderCase.Duomi.Task, wait)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ParamName, Is.EqualTo("options"));
            Assert.That(
                exception.Message,
                Is.EqualTo(
                    "Invalid wait options: WaitOptions:Timeout must be positive. WaitOptions:MaxInterval must be positive. "
                        + "WaitOptions:Multiplier must be between 1 and 10. (Parameter 'options')"));
        }
    }

    [Test]
    public async Task AMissingTencentBaseUrlSaysThereIsNoDefault()
    {
        // Arrange
        var client = CreateClient(CreateOptions(o => o.For(Provider.TencentVod).BaseUrl = null));

        // Act
        var exception = Assert.CatchAsync<InvalidOperationException>(() => Within(client.GetAsync(ProviderCase.TencentVod.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                exception.Message,
                Is.EqualTo("No base URL is configured for tencent-vod, and it has no default: set AsyncTasks:TencentVod:BaseUrl to your gateway's URL."));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }

    [Test]
    public async Task AMissingKeySaysWhichKeyToSet()
    {
        // Arrange
        var client = CreateClient(CreateOptions(o => o.For(Provider.Kexiang).ApiKey = null));

        // Act
        var exception = Assert.CatchAsync<InvalidOperationException>(() => Within(client.GetAsync(ProviderCase.Kexiang.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Is.EqualTo("No API key is configured for kexiang: set AsyncTasks:Kexiang:ApiKey."));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }
}
