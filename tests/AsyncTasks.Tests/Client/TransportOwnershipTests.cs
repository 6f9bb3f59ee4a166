using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// A transport given to the client stays the caller's: disposing the client, after reads and downloads went
/// through it, leaves it usable.
/// </summary>
[TestFixture]
internal sealed class TransportOwnershipTests : ClientTestBase
{
    [Test]
    public async Task DisposingTheClientLeavesAGivenTransportUsable()
    {
        // Arrange: a read and a download through the given transport.
        var provider = ProviderCase.Kexiang;
        var url = new Uri(BaseUri, "files/kept.png");
        await StubReadAsync(provider, Ok(provider.SucceededBody(url.AbsoluteUri)));
        await Server.AddStubAsync(WireMockStub.Get("/files/kept.png").RespondingWith(WireMockResponse.Binary(200, [7, 8, 9])));
        var transport = Track(new RecordingTransport(Clock));
        var client = CreateClient(transport: transport);
        var output = (await Within(client.GetAsync(provider.Task))).Outputs.Single();
        using var destination = new MemoryStream();
        await Within(client.DownloadAsync(output, destination));

        // Act
        client.Dispose();

        // Assert: the caller's own requests still go through it.
        using var own = new HttpClient(transport, disposeHandler: false);
        using var response = await Within(own.GetAsync(url));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(new byte[] { 7, 8, 9 }));
            Assert.That(transport.Sent, Has.Count.EqualTo(3));
        }
    }
}
