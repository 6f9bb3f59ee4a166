namespace AsyncTasks.Tests.Client;

/// <summary>
/// Task ids reach the server exactly as one value: one encoded path segment (duomi, kexiang, tencent-vod), one
/// encoded query value (mountsea), five real path segments (skyengine); ids a URL parser would read as path steps
/// are refused before any request.
/// </summary>
[TestFixture]
internal sealed class TaskIdEncodingTests : ClientTestBase
{
    private const string HostileId = "a/b?c#d..e";
    private const string HostileIdEncoded = "a%2Fb%3Fc%23d..e";

    private static readonly string[] DotIdValues = [".", ".."];

    private static IEnumerable<ProviderCase> PathSegmentProviders => ProviderCase.PathSegmentIds;

    private static IEnumerable<TestCaseData> DotIds() =>
        from provider in ProviderCase.All
        from id in DotIdValues
        select new TestCaseData(provider, id).SetArgDisplayNames(provider.Name, id == "." ? "dot" : "dot-dot");

    [TestCaseSource(nameof(PathSegmentProviders))]
    public async Task AnIdWithSlashQuestionMarkHashAndDotsIsSentAsOneEncodedPathSegment(ProviderCase provider)
    {
        // Arrange
        await StubReadAsync(provider, Ok(provider.RunningBody()), HostileId);
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(new TaskRef(provider.Provider, HostileId)));

        // Assert
        var journal = await Server.GetRequestsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal, Has.Count.EqualTo(1));
            Assert.That(journal[0].Url, Is.EqualTo(provider.PathOf(string.Empty) + HostileIdEncoded), "the raw URL on the wire");
            Assert.That(journal[0].Query, Is.Empty);
            Assert.That(snapshot.Task.Id, Is.EqualTo(HostileId));
        }
    }

    [Test]
    public async Task MountseaSendsTheIdEncodedInTheTaskIdQueryParameter()
    {
        // Arrange
        var provider = ProviderCase.Mountsea;
        await StubReadAsync(provider, Ok(provider.RunningBody()), HostileId);
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(new TaskRef(provider.Provider, HostileId)));

        // Assert
        var request = (await Server.GetRequestsAsync()).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Url, Is.EqualTo("/gemini/task/result?taskId=" + HostileIdEncoded));
            Assert.That(request.Path, Is.EqualTo("/gemini/task/result"));
        }
    }

    [Test]
    public async Task SkyEngineSendsTheOperationNameAsFivePathSegmentsNeverAsEncodedSlashes()
    {
        // Arrange
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient();

        // Act
        await Within(client.GetAsync(provider.Task));

        // Assert
        var request = (await Server.GetRequestsAsync()).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Url, Is.EqualTo("/v1beta/projects/p/locations/l/publishers/google/models/veo-3.1-generate-preview/operations/123"));
            Assert.That(request.Url, Does.Not.Contain("%2F").IgnoreCase);
        }
    }

    [TestCase("operations/123")]
    [TestCase("projects/p/locations/l/publishers/google/models/veo/operations/")]
    [TestCase("projects/p/locations/../publishers/google/models/veo/operations/1")]
    [TestCase("projects/p/locations/l/publishers/google/models/veo/operations/1/extra")]
    public async Task AMalformedSkyEngineOperationNameIsRefusedBeforeAnyRequest(string id)
    {
        // Arrange
        var client = CreateClient();

        // Act
        var exception = Assert.ThrowsAsync<ArgumentException>(() => Within(client.GetAsync(new TaskRef(Provider.SkyEngine, id))));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Does.Contain("projects/{project}/locations/{location}"));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }

    [TestCaseSource(nameof(DotIds))]
    public async Task DotIdsAreRefusedBeforeAnyRequest(ProviderCase provider, string id)
    {
        // Arrange
        var client = CreateClient();
        var task = new TaskRef(provider.Provider, id);

        // Act
        var get = Assert.CatchAsync<ArgumentException>(() => Within(client.GetAsync(task)));
        var wait = Assert.CatchAsync<ArgumentException>(() => Within(client.WaitAsync(task)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(get, Is.Not.Null);
            Assert.That(wait, Is.Not.Null);
            Assert.That(get?.Message, Does.Contain(provider.Name));
            Assert.That(await Server.GetRequestsAsync(), Is.Empty);
        }
    }

    [Test]
    public async Task DotIdsAreRefusedByWatchToo()
    {
        // Arrange
        var client = CreateClient();

        // Act, Assert
        Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var unused in client.WatchAsync(new TaskRef(Provider.Duomi, "..")))
            {
                // Never reached.
            }
        });
        Assert.That(await Server.GetRequestsAsync(), Is.Empty);
    }

    [Test]
    public async Task AnIdWithSpacesAndUnicodeRoundTrips()
    {
        // Arrange
        var provider = ProviderCase.Kexiang;
        const string id = "任务 1+2=3&x";
        await StubReadAsync(provider, Ok(provider.RunningBody()), id);
        var client = CreateClient();

        // Act
        var snapshot = await Within(client.GetAsync(new TaskRef(provider.Provider, id)));

        // Assert
        var request = (await Server.GetRequestsAsync()).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Running));
            Assert.That(request.Url, Is.EqualTo("/api/v1/user_task/get/passAuth/" + Uri.EscapeDataString(id)));
        }
    }
}
