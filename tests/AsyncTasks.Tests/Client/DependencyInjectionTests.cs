using AsyncTasks.Tests.Infrastructure.WireMock;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <c>services.AddAsyncTasks(configuration)</c>: options bound from configuration, <see cref="ITaskClient"/> resolved
/// with <c>IHttpClientFactory</c> clients, working end to end against WireMock; invalid options fail at resolve with
/// the setting named; the factory's own HTTP logging at Trace shows no key.
/// </summary>
[TestFixture]
internal sealed class DependencyInjectionTests : ClientTestBase
{
    [Test]
    public async Task AClientResolvedFromConfigurationReadsATaskEndToEnd()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/out.png")));
        using var services = BuildServices(new Dictionary<string, string?>
        {
            ["AsyncTasks:Duomi:BaseUrl"] = BaseUri.AbsoluteUri,
            ["AsyncTasks:Duomi:ApiKey"] = provider.ApiKey,
        });

        // Act
        var client = services.GetRequiredService<ITaskClient>();
        var snapshot = await Within(client.GetAsync(provider.Task));

        // Assert
        var read = (await ReadsAsync(provider)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(client, Is.InstanceOf<TaskClient>());
            Assert.That(services.GetRequiredService<ITaskClient>(), Is.SameAs(client), "a singleton");
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.Outputs.Single().Url, Is.EqualTo(new Uri("https://cdn.example.com/out.png")));
            Assert.That(read.Header("Authorization"), Is.EqualTo(provider.ApiKey), "duomi's raw key");
        }

        AssertNoKeyInLogs();
    }

    [Test]
    public async Task EveryProviderWorksThroughTheFactoryClientsWithItsOwnKey()
    {
        // Arrange
        var settings = new Dictionary<string, string?>();
        foreach (var provider in ProviderCase.All)
        {
            await StubReadAsync(provider, Ok(provider.RunningBody()));
            settings[$"AsyncTasks:{provider.Provider}:BaseUrl"] = BaseUri.AbsoluteUri;
            settings[$"AsyncTasks:{provider.Provider}:ApiKey"] = provider.ApiKey;
        }

        using var services = BuildServices(settings);
        var client = services.GetRequiredService<ITaskClient>();

        // Act
        foreach (var provider in ProviderCase.All)
        {
            await Within(client.GetAsync(provider.Task));
        }

        // Assert
        using (Assert.EnterMultipleScope())
        {
            foreach (var provider in ProviderCase.All)
            {
                var read = (await ReadsAsync(provider)).Single();
                Assert.That(read.Header(provider.KeyHeader), Is.EqualTo(provider.KeyPrefix + provider.ApiKey), provider.Name);
            }
        }

        AssertNoKeyInLogs();
    }

    [Test]
    public async Task RetryAndTimeoutSettingsAreBoundFromConfiguration()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.RunningBody()).WithFixedDelay(TimeSpan.FromSeconds(6)));
        await StubReadAsync(provider, WireMockResponse.Json(500, """{"message":"boom"}"""), id: "failing");
        using var services = BuildServices(new Dictionary<string, string?>
        {
            ["AsyncTasks:Kexiang:BaseUrl"] = BaseUri.AbsoluteUri,
            ["AsyncTasks:Kexiang:ApiKey"] = provider.ApiKey,
            ["AsyncTasks:Retry:MaxRetries"] = "1",
            // Long enough for the fast 500 on a loaded machine, short of the 6 s stub.
            ["AsyncTasks:RequestTimeout"] = "00:00:03",
        });
        var client = services.GetRequiredService<ITaskClient>();

        // Act
        var failing = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(new TaskRef(Provider.Kexiang, "failing"))));
        var slow = Assert.ThrowsAsync<TaskClientException>(() => Within(client.GetAsync(provider.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failing.Kind, Is.EqualTo(TaskErrorKind.Server));
            Assert.That(await ReadsAsync(provider, "failing"), Has.Count.EqualTo(2), "one try and MaxRetries = 1 retry");
            Assert.That(Clock.RequestedDelays, Has.Count.EqualTo(1), "the retry delay went through the registered TimeProvider");
            Assert.That(slow.Kind, Is.EqualTo(TaskErrorKind.Timeout), "RequestTimeout = 3 s");
        }
    }

    [Test]
    public void InvalidOptionsFailAtResolveNamingTheSetting()
    {
        // Arrange
        using var services = BuildServices(new Dictionary<string, string?>
        {
            ["AsyncTasks:Mountsea:BaseUrl"] = "http://gateway.example.com/",
            ["AsyncTasks:Mountsea:ApiKey"] = ProviderCase.Mountsea.ApiKey,
        });

        // Act
        var exception = Assert.Catch(() => services.GetRequiredService<ITaskClient>());

        // Assert
        Assert.That(exception, Is.InstanceOf<ArgumentException>());
        Assert.That(exception?.Message, Does.Contain("AsyncTasks:Mountsea:BaseUrl").And.Contain("AllowInsecureHttp"));
        AssertNoKey(exception);
    }

    [Test]
    public async Task AMissingKeyFailsAtUseNamingTheSetting()
    {
        // Arrange
        using var services = BuildServices(new Dictionary<string, string?>
        {
            ["AsyncTasks:TencentVod:ApiKey"] = ProviderCase.TencentVod.ApiKey,
        });
        var client = services.GetRequiredService<ITaskClient>();

        // Act
        var noKey = Assert.CatchAsync<InvalidOperationException>(() => Within(client.GetAsync(ProviderCase.SkyEngine.Task)));
        var noUrl = Assert.CatchAsync<InvalidOperationException>(() => Within(client.GetAsync(ProviderCase.TencentVod.Task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(noKey.Message, Does.Contain("AsyncTasks:SkyEngine:ApiKey"));
            Assert.That(noUrl.Message, Does.Contain("AsyncTasks:TencentVod:BaseUrl"));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }

    [Test]
    public async Task ADownloadThroughTheFactoryClientCarriesNoKeyToAnotherOrigin()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        var outputUrl = new Uri(OtherOrigin, "files/di.bin");
        await StubReadAsync(provider, Ok(provider.SucceededBody(outputUrl.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/di.bin")
            .RespondingWith(WireMockResponse.Binary(200, [1, 2, 3, 4])));
        using var services = BuildServices(new Dictionary<string, string?>
        {
            ["AsyncTasks:Mountsea:BaseUrl"] = BaseUri.AbsoluteUri,
            ["AsyncTasks:Mountsea:ApiKey"] = provider.ApiKey,
        });
        var client = services.GetRequiredService<ITaskClient>();
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();

        // Act
        var written = await Within(client.DownloadAsync(output, destination));

        // Assert
        var download = (await Server.GetRequestsAsync()).Single(r => r.Path == "/files/di.bin");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(4));
            Assert.That(download.Header("Authorization"), Is.Null);
        }

        AssertNoKeyInLogs();
    }

    private ServiceProvider BuildServices(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddAsyncTasks(configuration.GetSection(AsyncTasksOptions.SectionName));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
