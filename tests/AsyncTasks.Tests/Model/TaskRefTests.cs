using AsyncTasks.Tests.Client;

namespace AsyncTasks.Tests.Model;

/// <summary><see cref="TaskRef"/>'s text form and <see cref="ProviderNames"/>: what an application stores and reads back.</summary>
[TestFixture]
[Category("Model")]
internal sealed class TaskRefTests
{
    private const string SkyEngineOperation = "projects/p-1/locations/us-central1/publishers/google/models/veo-3.0/operations/op-9";

    /// <summary>The names of every provider's case, in the order of <see cref="Provider"/>: <c>mountsea, duomi, …</c>.</summary>
    private static readonly string KnownNames = string.Join(", ", ProviderCase.All.Select(c => c.Name));

    [TestCase(Provider.Mountsea, "task-1", "mountsea:task-1")]
    [TestCase(Provider.Duomi, "abc", "duomi:abc")]
    [TestCase(Provider.Kexiang, "k:with:colons", "kexiang:k:with:colons")]
    [TestCase(Provider.TencentVod, "1500000-AigcVideo-abc", "tencent-vod:1500000-AigcVideo-abc")]
    [TestCase(Provider.SkyEngine, SkyEngineOperation, "skyengine:" + SkyEngineOperation)]
    [TestCase(Provider.Duomi, " padded id ", "duomi: padded id ")]
    public void TheTextFormRoundTrips(Provider provider, string id, string text)
    {
        var task = new TaskRef(provider, id);

        var parsed = TaskRef.Parse(text);
        var tried = TaskRef.TryParse(text, out var viaTry);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.ToString(), Is.EqualTo(text));
            Assert.That(parsed, Is.EqualTo(task));
            Assert.That(parsed.Provider, Is.EqualTo(provider));
            Assert.That(parsed.Id, Is.EqualTo(id));
            Assert.That(tried, Is.True);
            Assert.That(viaTry, Is.EqualTo(task));
        }
    }

    [TestCase("DUOMI:abc", Provider.Duomi)]
    [TestCase("Tencent-VOD:x", Provider.TencentVod)]
    [TestCase(" skyengine :op", Provider.SkyEngine)]
    public void ProviderNamesAreReadIgnoringCaseAndSurroundingSpace(string text, Provider expected) =>
        Assert.That(TaskRef.Parse(text).Provider, Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("duomi")]
    [TestCase(":abc")]
    [TestCase("duomi:")]
    [TestCase("duomi:   ")]
    [TestCase("openai:abc")]
    [TestCase("tencent_vod:abc")]
    public void MalformedTextIsRefusedWithAMessageListingTheProviders(string text)
    {
        var tried = TaskRef.TryParse(text, out var task);
        var exception = Assert.Throws<FormatException>(() => TaskRef.Parse(text));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tried, Is.False);
            Assert.That(task, Is.Null);
            Assert.That(exception!.Message, Is.EqualTo(
                $"'{text}' is not a task reference. Expected 'provider:id' with provider one of {KnownNames}."));
        }
    }

    [Test]
    public void NullIsRefused()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TaskRef.TryParse(null, out var task), Is.False);
            Assert.That(task, Is.Null);
            Assert.That(() => TaskRef.Parse(null!), Throws.ArgumentNullException);
        }
    }

    [TestCase("")]
    [TestCase("   ")]
    public void AnEmptyIdCannotBeReferenced(string id) =>
        Assert.That(() => new TaskRef(Provider.Duomi, id), Throws.ArgumentException.With.Property("ParamName").EqualTo("id"));

    [Test]
    public void AnUndefinedProviderCannotBeReferenced() =>
        Assert.That(
            () => new TaskRef((Provider)42, "abc"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("provider").And.Message.StartsWith("42 is not a defined provider."));

    [Test]
    public void EqualReferencesAreEqual()
    {
        using (Assert.EnterMultipleScope())
        {
            var id = "a";
            Assert.That(new TaskRef(Provider.Kexiang, id), Is.EqualTo(new TaskRef(Provider.Kexiang, string.Concat("", id))));
            Assert.That(new TaskRef(Provider.Kexiang, "a"), Is.Not.EqualTo(new TaskRef(Provider.Duomi, "a")));
            Assert.That(new TaskRef(Provider.Kexiang, "a"), Is.Not.EqualTo(new TaskRef(Provider.Kexiang, "A")), "ids are case-sensitive");
        }
    }

    [Test]
    public void EveryProviderHasItsTextNameBothWays()
    {
        // Each case writes its provider's name down on its own, so a renamed provider fails here.
        var expected = ProviderCase.All.ToDictionary(c => c.Provider, c => c.Name);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ProviderNames.All, Is.EqualTo(expected.Keys), "every provider has a ProviderCase that writes down its name");
            foreach (var (provider, name) in expected)
            {
                Assert.That(provider.GetName(), Is.EqualTo(name));
                Assert.That(ProviderNames.Parse(name), Is.EqualTo(provider));
                Assert.That(ProviderNames.TryParse(name.ToUpperInvariant(), out var parsed) ? parsed : (Provider?)null, Is.EqualTo(provider));
            }

            Assert.That(ProviderNames.TryParse(null, out _), Is.False);
            Assert.That(ProviderNames.TryParse("vod", out _), Is.False);
            Assert.That(
                () => ProviderNames.Parse("vod"),
                Throws.InstanceOf<FormatException>().With.Message.EqualTo($"Unknown provider 'vod'. Known providers: {KnownNames}."));
            Assert.That(() => ((Provider)9).GetName(), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }

    [Test]
    public void OnlyUnknownAndTheUnfinishedStatesAreNotTerminal()
    {
        var terminal = Enum.GetValues<TaskState>().Where(s => s.IsTerminal());

        Assert.That(terminal, Is.EquivalentTo(new[] { TaskState.Succeeded, TaskState.Failed, TaskState.Cancelled, TaskState.TimedOut }));
    }

    [TestCase(TaskState.Queued, "queued")]
    [TestCase(TaskState.Running, "running")]
    [TestCase(TaskState.Succeeded, "succeeded")]
    [TestCase(TaskState.Failed, "failed")]
    [TestCase(TaskState.Cancelled, "cancelled")]
    [TestCase(TaskState.TimedOut, "timed_out")]
    [TestCase(TaskState.Unknown, "unknown")]
    [TestCase((TaskState)99, "unknown")]
    public void StatesHaveTheirTextNames(TaskState state, string name) => Assert.That(state.GetName(), Is.EqualTo(name));
}
