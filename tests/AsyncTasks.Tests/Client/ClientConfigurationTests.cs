namespace AsyncTasks.Tests.Client;

/// <summary>
/// Configuration mistakes are caught early and say which setting to change: clear-text keys to a remote host at
/// construction, a missing key or tencent base URL at the first use of that provider, before any request.
/// </summary>
[TestFixture]
internal sealed class ClientConfigurationTests : ClientTestBase
{
    private static IEnumerable<ProviderCase> Providers => ProviderCase.All;

    [TestCaseSource(nameof(Providers))]
    public void ANonLoopbackHttpBaseUrlIsRefusedAtConstructionNamingTheSetting(ProviderCase provider)
    {
        // Arrange
        var options = CreateOptions(o => o.For(provider.Provider).BaseUrl = new Uri("http://gateway.example.com/"));

        // Act
        var exception = Assert.Throws<ArgumentException>(() => CreateClient(options));

        // Assert
        var setting = "AsyncTasks:" + provider.Provider + ":";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.ParamName, Is.EqualTo("options"));
            Assert.That(exception.Message, Does.Contain(setting + "BaseUrl").And.Contain(setting + "AllowInsecureHttp"));
        }

        AssertNoKey(exception);
    }

    [TestCaseSource(nameof(Providers))]
    public void ANonLoopbackHttpBaseUrlIsAcceptedWithAllowInsecureHttp(ProviderCase provider)
    {
        // Arrange
        var options = CreateOptions(o =>
        {
            o.For(provider.Provider).BaseUrl = new Uri("http://gateway.example.com/");
            o.For(provider.Provider).AllowInsecureHttp = true;
        });

        // Act, Assert
        Assert.That(() => CreateClient(options), Throws.Nothing);
    }

    [TestCase("http://127.0.0.1:8080/")]
    [TestCase("http://localhost:8080/")]
    [TestCase("http://[::1]:8080/")]
    [TestCase("https://gateway.example.com/")]
    [TestCase("https://gateway.example.com/prefix/")]
    public void LoopbackHttpAndAnyHttpsAreAccepted(string url)
    {
        // Arrange
        var options = CreateOptions(o => o.For(Provider.Duomi).BaseUrl = new Uri(url));

        // Act, Assert
        Assert.That(() => CreateClient(options), Throws.Nothing);
    }

    [TestCase("ftp://gateway.example.com/", "absolute http(s) URL")]
    [TestCase("https://gateway.example.com/?x=1", "query")]
    [TestCase("https://user:pw@gateway.example.com/", "user info")]
    public void OtherBadBaseUrlsAreRefusedNamingTheSetting(string url, string reason)
    {
        // Arrange
        var options = CreateOptions(o => o.For(Provider.Kexiang).BaseUrl = new Uri(url));

        // Act
        var exception = Assert.Throws<ArgumentException>(() => CreateClient(options));

        // Assert
        Assert.That(exception.Message, Does.Contain("AsyncTasks:Kexiang:BaseUrl").And.Contain(reason));
    }

    [TestCaseSource(nameof(Providers))]
    public async Task AMissingKeyIsAnInvalidOperationNamingTheSettingBeforeAnyRequest(ProviderCase provider)
    {
        // Arrange
        var client = CreateClient(CreateOptions(o => o.For(provider.Provider).ApiKey = null));

        // Act
        var get = Assert.CatchAsync<InvalidOperationException>(() => Within(client.GetAsync(provider.Task)));
        var wait = Assert.CatchAsync<InvalidOperationException>(() => Within(client.WaitAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(get.Message, Does.Contain("AsyncTasks:" + provider.Provider + ":ApiKey"));
            Assert.That(wait.Message, Does.Contain("AsyncTasks:" + provider.Provider + ":ApiKey"));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }

    [Test]
    public async Task AMissingKeyForOneProviderDoesNotStopTheOthers()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient(CreateOptions(o => o.For(Provider.Mountsea).ApiKey = null));

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
    }

    [Test]
    public async Task AMissingTencentBaseUrlIsAnInvalidOperationNamingTheSetting()
    {
        // Arrange
        var client = CreateClient(CreateOptions(o => o.For(Provider.TencentVod).BaseUrl = null));

        // Act
        var exception = Assert.CatchAsync<InvalidOperationException>(() => Within(client.GetAsync(ProviderCase.TencentVod.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Does.Contain("AsyncTasks:TencentVod:BaseUrl"));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }

    [TestCase("sk-test-SECRET-newline\n-tail")]
    [TestCase("   ")]
    public void ABadKeyIsRefusedWithoutShowingIt(string key)
    {
        // Arrange
        var options = CreateOptions(o => o.For(Provider.SkyEngine).ApiKey = key);

        // Act
        var exception = Assert.Throws<ArgumentException>(() => CreateClient(options));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Does.Contain("AsyncTasks:SkyEngine:ApiKey"));
            Assert.That(exception.Message, Does.Not.Contain("newline"));
        }

        AssertNoKey(exception);
    }

    [Test]
    public async Task OptionsAreCopiedAtConstruction()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var options = CreateOptions();
        var client = CreateClient(options);

        // Act: changes after construction must not reach the client.
        options.For(Provider.Kexiang).ApiKey = "sk-test-changed-later-0000";
        options.For(Provider.Kexiang).BaseUrl = new Uri("https://elsewhere.example.com/");
        await Within(client.GetAsync(provider.Task));

        // Assert
        var read = (await ReadsAsync(provider)).Single();
        Assert.That(read.Header("x-api-key"), Is.EqualTo(provider.ApiKey));
    }

    [Test]
    public void InvalidRetryAndTimeoutSettingsAreRefusedNamingThem()
    {
        // Arrange
        var options = CreateOptions(o =>
        {
            o.Retry.MaxRetries = -1;
            o.RequestTimeout = TimeSpan.Zero;
            o.MaxDownloadBytes = 0;
            o.Wait.Jitter = 1.5;
        });

        // Act
        var exception = Assert.Throws<ArgumentException>(() => CreateClient(options));

        // Assert
        Assert.That(
            exception.Message,
            Does.Contain("AsyncTasks:Retry:MaxRetries")
                .And.Contain("AsyncTasks:RequestTimeout")
                .And.Contain("AsyncTasks:MaxDownloadBytes")
                .And.Contain("AsyncTasks:Wait:Jitter"));
    }

    [Test]
    public void ADisposedClientRefusesCalls()
    {
        // Arrange
        var client = CreateClient();

        // Act
        client.Dispose();

        // Assert
        Assert.CatchAsync<ObjectDisposedException>(() => Within(client.GetAsync(ProviderCase.Duomi.Task)));
    }
}
