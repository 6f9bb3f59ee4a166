namespace AsyncTasks.Cli.Tests;

/// <summary>How <c>--download</c> names files.</summary>
public sealed class OutputFilesTests
{
    private static readonly TaskRef Task = new(Provider.SkyEngine, "projects/p/locations/l/publishers/g/models/m/operations/op-1");

    [Test]
    public void TheProvidersFileNameWins()
    {
        var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/x/y.webp"), "image/webp", "cat.png");
        Assert.That(OutputFiles.FileNameFor(output, Task, 0, new HashSet<string>()), Is.EqualTo("cat.png"));
    }

    [Test]
    public void ElseTheUrlsLastSegment()
    {
        var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Video, new Uri("https://cdn.example.com/v/clip%201.mp4?sig=abc"));
        Assert.That(OutputFiles.FileNameFor(output, Task, 0, new HashSet<string>()), Is.EqualTo("clip 1.mp4"));
    }

    [Test]
    public void ElseProviderTaskAndIndex()
    {
        var output = AsyncTasksModelFactory.InlineOutput(TaskOutputKind.Image, new byte[] { 1 }, "image/jpeg");
        Assert.That(OutputFiles.FileNameFor(output, Task, 2, new HashSet<string>()), Is.EqualTo("skyengine-op-1-3.jpg"));
    }

    [TestCase("https://g.example.com/v1beta/files/abc123:download?alt=media", TaskOutputKind.Video, null, "abc123_download.mp4")]
    [TestCase("https://cdn.example.com/a/b", TaskOutputKind.Image, null, "b.png")]
    [TestCase("https://cdn.example.com/a/b", TaskOutputKind.Image, "image/webp", "b.webp")]
    [TestCase("https://cdn.example.com/a/report.bin", TaskOutputKind.Video, "video/webm", "report.bin.webm")]
    [TestCase("https://cdn.example.com/", TaskOutputKind.Video, null, "skyengine-op-1-1.mp4")]
    public void TheExtensionComesFromTheNameTheMimeTypeOrTheKind(string url, TaskOutputKind kind, string? mime, string expected)
    {
        var output = AsyncTasksModelFactory.UrlOutput(kind, new Uri(url), mime);
        Assert.That(OutputFiles.FileNameFor(output, Task, 0, new HashSet<string>()), Is.EqualTo(expected));
    }

    [Test]
    public void NamesStayInsideTheDirectoryAndAreUnique()
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sneaky = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/a.png"), fileName: "../../etc/a.png");
        var same = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/x/A.png"));
        Assert.That(OutputFiles.FileNameFor(sneaky, Task, 0, used), Is.EqualTo("a.png"));
        Assert.That(OutputFiles.FileNameFor(same, Task, 1, used), Is.EqualTo("A-2.png"));
    }
}
