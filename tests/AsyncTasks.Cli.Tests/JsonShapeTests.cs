using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.Specs;

namespace AsyncTasks.Cli.Tests;

/// <summary>
/// The --json shape for every documented response example of every provider: <c>get</c> reads it from WireMock
/// through the real facade and prints exactly one JSON object of the documented shape.
/// </summary>
public sealed class JsonShapeTests
{
    private static IEnumerable<TestCaseData> Examples() =>
        SpecExamples.All().Select(e => new TestCaseData(e.Provider, e.Example.StatusKey, e.Example.Name)
            .SetName($"{e.Provider.GetName()} {e.Example.StatusKey} {e.Example.Name}"));

    [TestCaseSource(nameof(Examples))]
    public async Task EveryDocumentedExamplePrintsTheDocumentedShape(Provider provider, string statusKey, string name)
    {
        var example = SpecExamples.Example(provider, name, statusKey);
        await SpecExamples.ServeAsync(provider, example.StatusCode, example.Value);

        var result = await CliRunner.RunAsync(
            ["get", provider.GetName(), SpecExamples.TaskId(provider), "--json", "--retries", "0", .. SpecExamples.Target()],
            environment: null);

        Assert.That(result.ExitCode, Is.AnyOf(ExitCodes.Success, ExitCodes.ApiError), result.ToString());
        var json = JsonShape.ParseSingleObject(result.Stdout);
        if (result.ExitCode == ExitCodes.Success)
        {
            Assert.That(example.IsSuccess, Is.True, "only a 2xx answer reads as a task");
            JsonShape.AssertSnapshot(json, provider, SpecExamples.TaskId(provider));
            Assert.That(result.Stderr, Is.Empty, "nothing on stderr for a successful get");
        }
        else
        {
            var error = JsonShape.AssertError(json);
            var expected = example.StatusCode switch
            {
                401 or 403 => "authentication",
                404 => "not_found",
                429 => "rate_limited",
                424 or >= 500 => "server",
                _ => null,
            };
            if (expected is not null)
            {
                Assert.That(error.GetProperty("kind").GetString(), Is.EqualTo(expected), result.ToString());
            }

            Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one error line: " + result.Stderr);
        }
    }

    [TestCase(Provider.Mountsea, "videoCompleted", "succeeded", "completed", 1)]
    [TestCase(Provider.Duomi, "succeeded", "succeeded", "succeeded", 1)]
    [TestCase(Provider.Kexiang, "successMany", "succeeded", "success", 2)]
    [TestCase(Provider.TencentVod, "videoFinished", "succeeded", "FINISH", 1)]
    [TestCase(Provider.SkyEngine, "doneVertexShape", "succeeded", "done", 2)]
    [TestCase(Provider.Duomi, "error", "failed", "error", 0)]
    [TestCase(Provider.TencentVod, "processing", "running", "PROCESSING", 0)]
    public async Task ValuesAreTheNormalisedOnes(Provider provider, string name, string status, string providerStatus, int outputs)
    {
        var example = SpecExamples.Example(provider, name);
        await SpecExamples.ServeAsync(provider, 200, example.Value);

        var result = await CliRunner.RunAsync(["get", provider.GetName(), SpecExamples.TaskId(provider), "--json", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        var json = JsonShape.AssertSnapshot(JsonShape.ParseSingleObject(result.Stdout), provider, SpecExamples.TaskId(provider));
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("status").GetString(), Is.EqualTo(status));
            Assert.That(json.GetProperty("providerStatus").GetString(), Is.EqualTo(providerStatus));
            Assert.That(json.GetProperty("outputs").GetArrayLength(), Is.EqualTo(outputs));
        });
    }

    [Test]
    public async Task InlineBytesAreCountedAndTimesAreUtc()
    {
        await SpecExamples.ServeAsync(Provider.SkyEngine, 200, SpecExamples.Example(Provider.SkyEngine, "doneVertexShape").Value);
        var vod = SpecExamples.Example(Provider.TencentVod, "videoFinished");

        var sky = await CliRunner.RunAsync(["get", "skyengine", SpecExamples.TaskId(Provider.SkyEngine), "--json", .. SpecExamples.Target()], null);
        var outputs = JsonShape.ParseSingleObject(sky.Stdout).GetProperty("outputs");
        Assert.Multiple(() =>
        {
            Assert.That(outputs[0].GetProperty("url").GetString(), Is.EqualTo("gs://my-bucket/generated-videos/sample_0.mp4"));
            Assert.That(outputs[1].GetProperty("url").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));

            // AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t is 24 bytes.
            Assert.That(outputs[1].GetProperty("inlineBytes").GetInt32(), Is.EqualTo(24));
            Assert.That(outputs[1].GetProperty("mimeType").GetString(), Is.EqualTo("video/mp4"));
        });

        await SpecExamples.ServeAsync(Provider.TencentVod, 200, vod.Value);
        var tencent = await CliRunner.RunAsync(["get", "tencent-vod", SpecExamples.TaskId(Provider.TencentVod), "--json", .. SpecExamples.Target()], null);
        var json = JsonShape.ParseSingleObject(tencent.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("createdAt").GetString(), Is.EqualTo("2026-01-10T08:00:00Z"));
            Assert.That(json.GetProperty("finishedAt").GetString(), Is.EqualTo("2026-01-10T08:02:10Z"));
            Assert.That(json.GetProperty("progress").GetInt32(), Is.EqualTo(100));
            Assert.That(json.GetProperty("outputs")[0].GetProperty("expiresAt").GetString(), Is.EqualTo("2026-01-17T08:02:10Z"));
            Assert.That(json.GetProperty("requestId").GetString(), Is.EqualTo("7e2d0c6a-9b3f-4a4c-bd5e-8f0a1b2c3d4e"));
        });
    }

    [Test]
    public async Task KexiangTimesWithAnOffsetAreWrittenInUtc()
    {
        await SpecExamples.ServeAsync(Provider.Kexiang, 200, SpecExamples.Example(Provider.Kexiang, "success").Value);

        var result = await CliRunner.RunAsync(["get", "kexiang", SpecExamples.TaskId(Provider.Kexiang), "--json", .. SpecExamples.Target()], null);

        // 2026-06-13T23:14:07.689977+08:00
        Assert.That(JsonShape.ParseSingleObject(result.Stdout).GetProperty("createdAt").GetString(), Is.EqualTo("2026-06-13T15:14:07.689977Z"));
    }
}
