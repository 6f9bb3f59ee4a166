using System.Text;

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

    [Test]
    public void LongNamesAreCutWithin255BytesAtACharacterBoundaryKeepingTheExtension()
    {
        // CJK (3 bytes), an emoji (a surrogate pair, 4 bytes), accented Latin (2 bytes), ASCII; each long enough to cut.
        foreach (var unit in new[] { "猫", "🐱", "é", "a", "a猫", "猫🐱é" })
        {
            var stem = string.Concat(Enumerable.Repeat(unit, 300));
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var first = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Video, new Uri("https://cdn.example.com/a"), "video/mp4", stem + ".mp4");

            var names = Enumerable.Range(0, 12).Select(i => OutputFiles.FileNameFor(first, Task, i, used)).ToList();

            foreach (var name in names)
            {
                var bytes = Encoding.UTF8.GetByteCount(name);
                Assert.That(bytes, Is.LessThanOrEqualTo(255).And.GreaterThan(255 - 8), $"{unit}: {name}");
                Assert.That(name, Does.EndWith(".mp4"));
                Assert.That(name.EnumerateRunes().Any(r => r == Rune.ReplacementChar), Is.False, "no character cut in half");
                Assert.That(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)), Is.EqualTo(name));
            }

            Assert.That(names, Is.Unique);
            Assert.That(names[11], Does.EndWith("-12.mp4"));
        }
    }

    [Test]
    public void NamesThatTryToLeaveTheFolderStayInsideIt()
    {
        var hostile = new[] { "..", "../..", "a/../../b.png", "..\\..\\c.png", "/etc/passwd", "C:\\x.png", "\0.png", ".", "...", "x\u0000y.png", "nul\u001b[2J.png" };
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var directory = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "asynctasks-names"));
        for (var i = 0; i < hostile.Length; i++)
        {
            var output = AsyncTasksModelFactory.UrlOutput(TaskOutputKind.Image, new Uri("https://cdn.example.com/"), "image/png", hostile[i]);
            var name = OutputFiles.FileNameFor(output, Task, i, used);
            var path = Path.GetFullPath(Path.Combine(directory, name));
            Assert.That(Path.GetDirectoryName(path), Is.EqualTo(directory), hostile[i]);
            Assert.That(name.Any(char.IsControl) || name.Contains('/') || name.Contains('\\') || name is "." or "..", Is.False, name);
        }
    }
}
