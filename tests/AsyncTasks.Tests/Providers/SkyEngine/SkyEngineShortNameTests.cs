namespace AsyncTasks.Tests.Client;

/// <summary>SkyEngine's short operation names, <c>projects/…/locations/…/operations/…</c>, as its page shows them.</summary>
[TestFixture]
internal sealed class SkyEngineShortNameTests : ClientTestBase
{
    private const string ShortName = "projects/p/locations/l/operations/123";

    [Test]
    public async Task AShortNameIsReadWithTheModelOfTheOptionsAndThePublisherGoogle()
    {
        // Arrange: the answer is served at the full name only.
        var provider = ProviderCase.SkyEngine;
        await StubReadAsync(provider, Ok(provider.RunningBody()));
        var client = CreateClient(CreateOptions(o => o.For(Provider.SkyEngine).Model = "veo-3.1-generate-preview"));

        // Act
        var read = await Within(client.GetAsync(new TaskRef(Provider.SkyEngine, ShortName)));

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.State, Is.EqualTo(TaskState.Running));
            Assert.That(read.Task, Is.EqualTo(provider.Task), "the snapshot names the full operation");
            Assert.That(await ReadsAsync(provider), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void AShortNameWithoutAModelIsRefusedSayingWhatIsMissing()
    {
        var client = CreateClient();

        var exception = Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync(new TaskRef(Provider.SkyEngine, ShortName)));
        Assert.ThrowsAsync<ArgumentException>(() => client.WaitAsync(new TaskRef(Provider.SkyEngine, ShortName)));

        Assert.That(
            exception.Message,
            Is.EqualTo(
                $"'{ShortName}' is a short SkyEngine operation name (projects/{{project}}/locations/{{location}}/operations/{{operation}}): it names no model. "
                + "Set AsyncTasks:SkyEngine:Model to the model the task was submitted to (the publisher defaults to google), or pass the full name: "
                + "projects/{project}/locations/{location}/publishers/{publisher}/models/{model}/operations/{operation}. (Parameter 'task')"));
    }
}
