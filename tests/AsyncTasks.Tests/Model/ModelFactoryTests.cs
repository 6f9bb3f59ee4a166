using AsyncTasks.Generated.Duomi;

namespace AsyncTasks.Tests.Model;

/// <summary>
/// <see cref="AsyncTasksModelFactory"/>, which applications use to build snapshots, outputs and errors for fakes of
/// <see cref="ITaskClient"/>: every value is kept as given, and what the library itself would never produce is refused.
/// </summary>
[TestFixture]
[Category("Model")]
internal sealed class ModelFactoryTests
{
    private static readonly TaskRef Task = new(Provider.Kexiang, "t-1");

    [Test]
    public void ASnapshotKeepsEveryValueGiven()
    {
        // Arrange
        var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/a.png"));
        var error = AsyncTasksModelFactory.TaskError("E1", "refused");
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var finished = created.AddSeconds(30);
        var raw = BinaryData.FromString("""{"code":200}""");

        // Act
        var snapshot = AsyncTasksModelFactory.TaskSnapshot(
            Task, TaskState.Succeeded, "success", 100, [output], error, created, finished, "req-1", raw);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Task, Is.EqualTo(Task));
            Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded));
            Assert.That(snapshot.IsTerminal, Is.True);
            Assert.That(snapshot.ProviderState, Is.EqualTo("success"));
            Assert.That(snapshot.Progress, Is.EqualTo(100));
            Assert.That(snapshot.Outputs.Select(o => (o.Kind, o.Url)), Is.EqualTo(new[] { (output.Kind, output.Url) }));
            Assert.That(snapshot.Error, Is.SameAs(error));
            Assert.That(snapshot.CreatedAt, Is.EqualTo(created));
            Assert.That(snapshot.FinishedAt, Is.EqualTo(finished));
            Assert.That(snapshot.RequestId, Is.EqualTo("req-1"));
            Assert.That(snapshot.RawResponse, Is.SameAs(raw));
        }
    }

    [Test]
    public void ASnapshotWithoutOutputsHasAnEmptyListAndNoOptionalValues()
    {
        var snapshot = AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Running);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Outputs, Is.Not.Null.And.Empty);
            Assert.That(snapshot.IsTerminal, Is.False);
            Assert.That(snapshot.ProviderState, Is.Null);
            Assert.That(snapshot.Progress, Is.Null);
            Assert.That(snapshot.Error, Is.Null);
            Assert.That(snapshot.CreatedAt, Is.Null);
            Assert.That(snapshot.FinishedAt, Is.Null);
            Assert.That(snapshot.RequestId, Is.Null);
            Assert.That(snapshot.RawResponse, Is.Null);
        }
    }

    [Test]
    public void ASnapshotKeepsItsOwnCopyOfTheOutputs()
    {
        // Arrange
        var first = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Video, new Uri("https://cdn.example.com/1.mp4"));
        var outputs = new List<TaskOutput> { first };

        // Act
        var snapshot = AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Succeeded, outputs: outputs);
        outputs.Add(AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Video, new Uri("https://cdn.example.com/2.mp4")));

        // Assert
        Assert.That(snapshot.Outputs.Select(o => o.Url), Is.EqualTo(new[] { first.Url }));
    }

    [Test]
    public void ASnapshotsOutputsBelongToItsProviderAndTheOutputGivenIsNotChanged()
    {
        // Arrange
        var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/a.png"));

        // Act
        var duomi = AsyncTasksModelFactory.TaskSnapshot(new TaskRef(Provider.Duomi, "d-1"), TaskState.Succeeded, outputs: [output]);
        var mountsea = AsyncTasksModelFactory.TaskSnapshot(new TaskRef(Provider.Mountsea, "m-1"), TaskState.Succeeded, outputs: [output]);

        // An output that already belongs to a provider keeps it (its download may carry only that provider's key).
        var moved = AsyncTasksModelFactory.TaskSnapshot(new TaskRef(Provider.Kexiang, "k-1"), TaskState.Succeeded, outputs: [duomi.Outputs.Single()]);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(duomi.Outputs.Single().Source, Is.EqualTo(Provider.Duomi));
            Assert.That(mountsea.Outputs.Single().Source, Is.EqualTo(Provider.Mountsea));
            Assert.That(output.Source, Is.Null);
            Assert.That(moved.Outputs.Single(), Is.SameAs(duomi.Outputs.Single()));
            Assert.That(moved.Outputs.Single().Source, Is.EqualTo(Provider.Duomi));
        }
    }

    [TestCase(0)]
    [TestCase(100)]
    public void ProgressFrom0To100IsAccepted(int progress) =>
        Assert.That(AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Running, progress: progress).Progress, Is.EqualTo(progress));

    [TestCase(-1)]
    [TestCase(101)]
    public void ProgressOutside0To100IsRefused(int progress) =>
        Assert.That(
            () => AsyncTasksModelFactory.TaskSnapshot(Task, TaskState.Running, progress: progress),
            Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Property("ParamName").EqualTo("progress")
                .And.Property("ActualValue").EqualTo(progress)
                .And.Message.StartsWith("Progress is 0 to 100."));

    [Test]
    public void NullArgumentsAreRefusedByName()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                () => AsyncTasksModelFactory.TaskSnapshot(null!, TaskState.Running),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("task"));
            Assert.That(
                () => AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("url"));
        }
    }

    [Test]
    public void AUrlOutputKeepsItsValues()
    {
        var expires = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

        var output = AsyncTasksModelFactory.UrlOutput(
            TaskOutputKind.Video, new Uri("https://cdn.example.com/v.mp4"), "video/mp4", "v.mp4", expires);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.Kind, Is.EqualTo(TaskOutputKind.Video));
            Assert.That(output.Url, Is.EqualTo(new Uri("https://cdn.example.com/v.mp4")));
            Assert.That(output.IsInline, Is.False);
            Assert.That(output.InlineData, Is.Null);
            Assert.That(output.MimeType, Is.EqualTo("video/mp4"));
            Assert.That(output.FileName, Is.EqualTo("v.mp4"));
            Assert.That(output.ExpiresAt, Is.EqualTo(expires));
        }
    }

    [Test]
    public void AnInlineOutputKeepsItsBytes()
    {
        var output = AsyncTasksModelFactory.InlineOutput(TaskOutputKind.Image, new byte[] { 7, 8 }, "image/png", "a.png");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.Kind, Is.EqualTo(TaskOutputKind.Image));
            Assert.That(output.Url, Is.Null);
            Assert.That(output.IsInline, Is.True);
            Assert.That(output.InlineData?.ToArray(), Is.EqualTo(new byte[] { 7, 8 }));
            Assert.That(output.MimeType, Is.EqualTo("image/png"));
            Assert.That(output.FileName, Is.EqualTo("a.png"));
            Assert.That(output.ExpiresAt, Is.Null);
        }
    }

    [Test]
    public void AnErrorKeepsItsCodeAndMessage()
    {
        var error = AsyncTasksModelFactory.TaskError("2101", "invalid key");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Code, Is.EqualTo("2101"));
            Assert.That(error.Message, Is.EqualTo("invalid key"));
        }
    }
}
