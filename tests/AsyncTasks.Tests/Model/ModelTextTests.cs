namespace AsyncTasks.Tests.Model;

/// <summary>
/// The text the models show in logs and debuggers: short, exact, and never an API key; and the messages of the
/// exceptions the library throws.
/// </summary>
[TestFixture]
[Category("Model")]
internal sealed class ModelTextTests
{
    private const string Key = "sk-test-SECRET-4242";

    private static readonly TaskRef Task = new(Provider.Duomi, "abc");

    [Test]
    public void ProviderOptionsShowTheBaseUrlAndWhetherAKeyIsSetButNeverTheKey()
    {
        var unset = new ProviderOptions();
        var set = new ProviderOptions { BaseUrl = new Uri("https://gateway.example.com/v1/"), ApiKey = Key };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(unset.ToString(), Is.EqualTo("BaseUrl = (default), ApiKey = (not set)"));
            Assert.That(set.ToString(), Is.EqualTo("BaseUrl = https://gateway.example.com/v1/, ApiKey = (set)"));
            Assert.That(new ProviderOptions { ApiKey = string.Empty }.ToString(), Is.EqualTo("BaseUrl = (default), ApiKey = (not set)"));
        }
    }

    [Test]
    public void ASnapshotShowsTaskStateAndProviderState()
    {
        var bare = AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Queued);
        var running = AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Running, "running", progress: 40);
        var failed = AsyncTasksModelFactory.TaskSnapshot(
            Task, TaskState.Failed, "error", progress: 0, error: AsyncTasksModelFactory.TaskError("E42", "the prompt was refused"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bare.ToString(), Is.EqualTo("duomi:abc queued (-)"));
            Assert.That(running.ToString(), Is.EqualTo("duomi:abc running (running) 40%"));
            Assert.That(failed.ToString(), Is.EqualTo("duomi:abc failed (error) 0% error E42: the prompt was refused"));
        }
    }

    [Test]
    public void AnOutputShowsItsKindAndUrlOrItsInlineSize()
    {
        var url = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/a.png"));
        var inline = AsyncTasksModelFactory.InlineOutput(TaskOutputKind.Video, new byte[] { 1, 2, 3 });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(url.ToString(), Is.EqualTo("Image https://cdn.example.com/a.png"));
            Assert.That(inline.ToString(), Is.EqualTo("Video (3 inline bytes)"));
        }
    }

    [TestCase(null, null, "(no detail)")]
    [TestCase(null, "the prompt was refused", "the prompt was refused")]
    [TestCase("E42", null, "E42")]
    [TestCase("E42", "the prompt was refused", "E42: the prompt was refused")]
    public void AnErrorShowsItsCodeAndMessage(string? code, string? message, string expected) =>
        Assert.That(AsyncTasksModelFactory.TaskError(code, message).ToString(), Is.EqualTo(expected));

    [Test]
    public void AnOutputHasExactlyOneOfUrlAndInlineData()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                () => new TaskOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/a.png"), new byte[] { 1 }, null, null, null),
                Throws.ArgumentException.With.Message.EqualTo("An output has either a URL or inline data, not both or neither."));
            Assert.That(
                () => new TaskOutput(TaskOutputKind.Image, null, null, null, null, null),
                Throws.ArgumentException.With.Message.EqualTo("An output has either a URL or inline data, not both or neither."));
        }
    }

    [Test]
    public void AnExceptionMessageNamesProviderKindStatusCodeAndRequestId()
    {
        var full = new TaskClientException(Provider.TencentVod, TaskErrorKind.NotFound, "the task does not exist", 404, "ResourceNotFound", "req-1");
        var bare = new TaskClientException(Provider.Duomi, TaskErrorKind.Transport, "could not connect");
        var emptyCode = new TaskClientException(Provider.Kexiang, TaskErrorKind.Server, "the API answered HTTP 500", 500, string.Empty);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(full.Message, Is.EqualTo("tencent-vod: the task does not exist (kind NotFound, HTTP 404, provider code ResourceNotFound, request id req-1)"));
            Assert.That(bare.Message, Is.EqualTo("duomi: could not connect (kind Transport, request id none)"));
            Assert.That(emptyCode.Message, Is.EqualTo("kexiang: the API answered HTTP 500 (kind Server, HTTP 500, request id none)"));
            Assert.That(full.ProviderCode, Is.EqualTo("ResourceNotFound"));
            Assert.That(full.RequestId, Is.EqualTo("req-1"));
            Assert.That(full.HttpStatus, Is.EqualTo(404));
        }
    }

    [Test]
    public void AWaitTimeoutSaysHowLongAndTheLastStateRead()
    {
        var never = new TaskWaitTimeoutException(Task, TimeSpan.FromMinutes(2), null);
        var last = AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Running, "running", requestId: "req-7");
        var read = new TaskWaitTimeoutException(Task, TimeSpan.FromSeconds(90), last);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(never.Message, Is.EqualTo("duomi: waited 00:02:00 for duomi:abc without it reaching a final state; last state never read (kind Timeout, request id none)"));
            Assert.That(read.Message, Is.EqualTo("duomi: waited 00:01:30 for duomi:abc without it reaching a final state; last state running (kind Timeout, request id req-7)"));
            Assert.That(read.RequestId, Is.EqualTo("req-7"));
            Assert.That(read.Kind, Is.EqualTo(TaskErrorKind.Timeout));
        }
    }

    [Test]
    public void UndefinedEnumValuesAreRefusedSayingSo()
    {
        const Provider Undefined = (Provider)42;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                () => Undefined.GetName(),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Not a defined provider.").And.Property("ParamName").EqualTo("provider"));
            Assert.That(
                () => Undefined.GetDefaultBaseUrl(),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Not a defined provider.").And.Property("ParamName").EqualTo("provider"));
            Assert.That(
                () => new AsyncTasksOptions().For(Undefined),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.StartsWith("Not a defined provider.").And.Property("ParamName").EqualTo("provider"));
        }
    }
}
