using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Cli.Tests;

/// <summary><c>wait</c>: a wait that ends, its progress lines, and <c>--download</c>.</summary>
public sealed class WaitTests
{
    private static readonly string DuomiId = SpecExamples.TaskId(Provider.Duomi);

    [Test]
    public async Task AWaitGoesThroughTheStatesAndEndsSucceeded()
    {
        await SpecExamples.ServeSequenceAsync(Provider.Duomi, "pending", "running", "succeeded");

        var result = await CliRunner.RunAsync(["wait", "duomi", DuomiId, "--interval", "50ms", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());

        // Redirected standard error: one plain line per change, in order.
        var lines = result.Stderr.Trim().Split('\n').Select(l => l.Trim()).ToList();
        Assert.That(lines, Has.Count.EqualTo(3), result.Stderr);
        Assert.That(lines[0], Does.StartWith($"duomi:{DuomiId} queued (pending)"));
        Assert.That(lines[1], Does.StartWith($"duomi:{DuomiId} running (running)"));
        Assert.That(lines[2], Does.StartWith($"duomi:{DuomiId} succeeded (succeeded)"));
        Assert.That(result.Stdout, Does.Contain("status      succeeded (provider: succeeded)"));
        Assert.That(result.Stdout, Does.Contain("output 1    image https://files.duomiapi.com/nano-banana/b2b24d5d/0.png (b2b24d5d-0.png)"));
        var requests = await WireMockServer.Shared.GetRequestsAsync();
        Assert.That(requests, Has.Count.EqualTo(3), "polled until final, then stopped");
    }

    [Test]
    public async Task ProgressIsShownWhereTheProviderReportsIt()
    {
        await SpecExamples.ServeSequenceAsync(Provider.TencentVod, "waiting", "processing", "videoFinished");

        var result = await CliRunner.RunAsync(
            ["wait", "tencent-vod", SpecExamples.TaskId(Provider.TencentVod), "--interval", "50ms", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Stderr, Does.Contain("running (PROCESSING) 45%"));
        Assert.That(result.Stdout, Does.Contain("progress    100%"));
    }

    [Test]
    public async Task JsonKeepsProgressLinesOffStandardError()
    {
        await SpecExamples.ServeSequenceAsync(Provider.Duomi, "pending", "succeeded");

        var result = await CliRunner.RunAsync(["wait", "duomi", DuomiId, "--json", "--interval", "50ms", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
        JsonShape.AssertSnapshot(JsonShape.ParseSingleObject(result.Stdout), Provider.Duomi, DuomiId);
    }

    [Test]
    public async Task DownloadSavesEveryOutputWithANameAndExtension()
    {
        var server = WireMockServer.Shared;
        var body = (JObject)SpecExamples.Example(Provider.Mountsea, "videoCompletedMany").Value.DeepClone();
        body["result"]!["videoUrls"] = new JArray(
            new Uri(server.BaseUri, "gemini/video/0c9d3b1e-0.mp4").ToString(),
            new Uri(server.BaseUri, "gemini/video/0c9d3b1e-1").ToString());
        await SpecExamples.ServeAsync(Provider.Mountsea, 200, body);
        byte[] first = [0, 0, 0, 24, 102, 116, 121, 112, 1];
        byte[] second = [0, 0, 0, 24, 102, 116, 121, 112, 2, 3];
        await server.AddStubAsync(WireMockStub.Get("/gemini/video/0c9d3b1e-0.mp4").RespondingWith(WireMockResponse.Binary(200, first, "video/mp4")));
        await server.AddStubAsync(WireMockStub.Get("/gemini/video/0c9d3b1e-1").RespondingWith(WireMockResponse.Binary(200, second, "video/mp4")));
        var directory = Directory.CreateTempSubdirectory("asynctasks-cli-download-").FullName;
        try
        {
            var target = Path.Combine(directory, "outputs");
            var result = await CliRunner.RunAsync(
                ["wait", "mountsea", SpecExamples.TaskId(Provider.Mountsea), "--json", "--interval", "50ms", "--download", target, .. SpecExamples.Target()], null);

            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
            var json = JsonShape.AssertSnapshot(JsonShape.ParseSingleObject(result.Stdout), Provider.Mountsea, SpecExamples.TaskId(Provider.Mountsea), withFiles: true);
            var files = json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("file").GetString()).ToList();
            Assert.That(files, Is.EqualTo(new[] { Path.Combine(target, "0c9d3b1e-0.mp4"), Path.Combine(target, "0c9d3b1e-1.mp4") }));
            Assert.That(await File.ReadAllBytesAsync(files[0]!), Is.EqualTo(first));
            Assert.That(await File.ReadAllBytesAsync(files[1]!), Is.EqualTo(second));
            Assert.That(Directory.GetFiles(target), Has.Length.EqualTo(2), "no partial files left");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task DownloadSavesInlineBytesAndSkipsWhatHttpCannotFetch()
    {
        await SpecExamples.ServeAsync(Provider.SkyEngine, 200, SpecExamples.Example(Provider.SkyEngine, "doneVertexShape").Value);
        var directory = Directory.CreateTempSubdirectory("asynctasks-cli-download-").FullName;
        try
        {
            var result = await CliRunner.RunAsync(
                ["wait", "skyengine", SpecExamples.TaskId(Provider.SkyEngine), "--interval", "50ms", "--download", directory, .. SpecExamples.Target()], null);

            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
            var saved = Path.Combine(directory, "skyengine-4f1d2a3b-0c9e-4e7a-8b6d-5a4c3b2a1f0e-2.mp4");
            Assert.That(await File.ReadAllBytesAsync(saved), Is.EqualTo(Convert.FromBase64String("AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t")));
            Assert.That(Directory.GetFiles(directory), Has.Length.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain("warning: output 1 (gs://my-bucket/generated-videos/sample_0.mp4) was not saved"));
            Assert.That(result.Stdout, Does.Contain("-> " + saved));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task AFailedDownloadIsAnApiError()
    {
        var server = WireMockServer.Shared;
        var body = (JObject)SpecExamples.Example(Provider.Duomi, "succeeded").Value.DeepClone();
        body["data"]!["data"]!["images"]![0]!["url"] = new Uri(server.BaseUri, "files/missing.png").ToString();
        await SpecExamples.ServeAsync(Provider.Duomi, 200, body);
        var directory = Directory.CreateTempSubdirectory("asynctasks-cli-download-").FullName;
        try
        {
            var result = await CliRunner.RunAsync(
                ["wait", "duomi", DuomiId, "--json", "--retries", "0", "--download", directory, .. SpecExamples.Target()], null);

            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError), result.ToString());
            Assert.That(JsonShape.AssertError(JsonShape.ParseSingleObject(result.Stdout)).GetProperty("kind").GetString(), Is.EqualTo("not_found"));
            Assert.That(Directory.GetFiles(directory), Is.Empty, "the partial file is removed");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
