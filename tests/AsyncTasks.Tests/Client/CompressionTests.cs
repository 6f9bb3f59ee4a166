using AsyncTasks.Tests.Infrastructure.WireMock;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// <see cref="AsyncTasksOptions.AcceptCompressedResponses"/>: off by default (no Accept-Encoding sent, so a server that
/// compresses when asked, as WireMock does, answers plainly); on, the client asks for gzip, deflate and Brotli and reads
/// the compressed answer.
/// </summary>
[TestFixture]
[Category("Client")]
internal sealed class CompressionTests : ClientTestBase
{
    [Test]
    public async Task ByDefaultNoCompressionIsAskedForOnReadsOrDownloads()
    {
        // Arrange
        var provider = ProviderCase.Duomi;
        var outputUrl = new Uri(BaseUri, "files/plain.png");
        await StubReadAsync(provider, Ok(provider.SucceededBody(outputUrl.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/plain.png").RespondingWith(WireMockResponse.Binary(200, [9, 8, 7])));
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(provider.Task));
        using var destination = new MemoryStream();
        await Within(client.DownloadAsync(snapshot.Outputs.Single(), destination));

        // Assert
        var requests = await Server.GetRequestsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(requests, Has.Count.EqualTo(2));
            Assert.That(requests.Select(r => r.Header("Accept-Encoding")), Is.All.Null);
            Assert.That(destination.ToArray(), Is.EqualTo(new byte[] { 9, 8, 7 }));
        }
    }

    [Test]
    public async Task WhenOnEveryProviderAsksForCompressionAndReadsTheCompressedAnswer()
    {
        var client = CreateClient(CreateOptions(o => o.AcceptCompressedResponses = true));
        foreach (var provider in ProviderCase.All)
        {
            // Arrange: a body long enough that WireMock compresses it.
            await Server.ResetAsync();
            var url = "https://cdn.example.com/" + new string('a', 600) + ".png";
            await StubReadAsync(provider, Ok(provider.SucceededBody(url)));

            // Act
            var snapshot = await Within(client.GetAsync(provider.Task));

            // Assert
            var read = (await ReadsAsync(provider)).Single();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded), provider.Name);
                Assert.That(snapshot.Outputs.Single().Url, Is.EqualTo(new Uri(url)), provider.Name);
                Assert.That(read.Header("Accept-Encoding"), Does.Contain("gzip").And.Contain("deflate").And.Contain("br"), provider.Name);
            }
        }
    }

    [Test]
    public async Task TheSettingIsBoundFromConfigurationForFactoryClients()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        await StubReadAsync(provider, Ok(provider.SucceededBody("https://cdn.example.com/x.png")));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AsyncTasks:Kexiang:BaseUrl"] = BaseUri.AbsoluteUri,
            ["AsyncTasks:Kexiang:ApiKey"] = provider.ApiKey,
            ["AsyncTasks:AcceptCompressedResponses"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddAsyncTasks(configuration.GetSection(AsyncTasksOptions.SectionName));
        using var built = services.BuildServiceProvider();

        // Act
        var snapshot = await Within(built.GetRequiredService<ITaskClient>().GetAsync(provider.Task));

        // Assert
        var read = (await ReadsAsync(provider)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(read.Header("Accept-Encoding"), Does.Contain("gzip"));
        }
    }
}
