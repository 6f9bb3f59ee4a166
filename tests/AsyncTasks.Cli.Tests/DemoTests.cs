using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncTasks.Cli.Demo;
using AsyncTasks.Cli.Tests.Support;

namespace AsyncTasks.Cli.Tests;

/// <summary><c>asynctasks demo</c>: its own WireMock.Net with the specs' examples, one task per provider, stopped at the end.</summary>
public sealed partial class DemoTests
{
    private static readonly string[] ProviderColumns = [.. ProviderNames.All.Select(p => p.GetName())];

    private static readonly string[] DemoKeys = ["results", "requestsServed", "elapsedMs"];

    private static readonly string[] QueuedRunningSucceeded = ["queued", "running", "succeeded"];

    [Test]
    public async Task EveryScenarioStepIsADocumentedExample()
    {
        var scenarios = await DemoScenario.ForEveryProviderAsync(CancellationToken.None);
        Assert.That(scenarios.Select(s => s.Provider), Is.EqualTo(ProviderNames.All));
        foreach (var scenario in scenarios)
        {
            var (taskId, _, bodies) = scenario.Build();
            Assert.That(taskId, Is.EqualTo(SpecExamples.TaskId(scenario.Provider)), scenario.Provider.GetName());

            // The first example twice (get, then the wait's first poll), then each next one.
            Assert.That(bodies, Has.Count.EqualTo(scenario.Steps.Count + 1));
            var documented = scenario.Steps.Select(step => SpecExamples.Example(scenario.Provider, step).Value.ToString(Newtonsoft.Json.Formatting.None)).ToList();
            var served = bodies.Select(b => Parse(b.ToJsonString()).ToString(Newtonsoft.Json.Formatting.None)).ToList();
            Assert.That(served, Is.EqualTo([documented[0], .. documented]), "served byte for byte as the spec documents them");
        }
    }

    [Test]
    public async Task EachScenarioTakesTheFirstQueuedRunningAndSucceededExampleOfItsSpec()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await DemoScenario.ForAsync(Provider.Duomi, CancellationToken.None)).Steps, Is.EqualTo(["pending", "running", "succeeded"]));
            Assert.That((await DemoScenario.ForAsync(Provider.Kexiang, CancellationToken.None)).Steps, Is.EqualTo(["pending", "success"]), "no running example");
            Assert.That((await DemoScenario.ForAsync(Provider.TencentVod, CancellationToken.None)).Steps, Is.EqualTo(["waiting", "processing", "imageFinished"]));
            Assert.That((await DemoScenario.ForAsync(Provider.SkyEngine, CancellationToken.None)).Steps, Is.EqualTo(["running", "doneSeedShape"]), "no queued state");
        }
    }

    [Test]
    public async Task TheDemoShowsEveryProviderSideBySideAndStopsWireMock()
    {
        var started = Stopwatch.StartNew();
        var result = await CliRunner.RunAsync(["demo"], CliRunner.NoJavaNoNode());
        TestContext.Out.WriteLine($"demo took {started.Elapsed.TotalSeconds:0.0} s");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        var header = result.Stdout.Split('\n').First(l => l.Contains("mountsea", StringComparison.Ordinal));
        Assert.That(ProviderColumns.Select(p => header.IndexOf(p, StringComparison.Ordinal)), Is.Ordered.And.All.GreaterThan(0), "one column per provider, side by side");
        Assert.That(Regex.Count(result.Stdout, "succeeded"), Is.GreaterThanOrEqualTo(5));
        Assert.That(result.Stdout, Does.Contain("running 45%"), "tencent-vod's wait with its progress");
        // In process: this test host keeps running, so a closed port is the server's own stop.
        Assert.That(IsListening(WireMockPortOf(result.Stderr)), Is.False, "nothing listens on the demo's port any more");
    }

    [Test]
    public async Task DemoJsonHoldsEachProvidersGetAndWait()
    {
        var result = await CliRunner.RunAsync(["demo", "--json"], CliRunner.NoJavaNoNode());

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Stderr, Does.Not.Contain("error"), "no progress lines with --json, and no error");
        var json = JsonShape.ParseSingleObject(result.Stdout);
        Assert.That(JsonShape.Keys(json), Is.EqualTo(DemoKeys));
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results.Select(r => r.GetProperty("provider").GetString()), Is.EqualTo(ProviderColumns));
        foreach (var item in results)
        {
            var provider = ProviderNames.Parse(item.GetProperty("provider").GetString()!);
            var taskId = item.GetProperty("taskId").GetString()!;
            JsonShape.AssertSnapshot(item.GetProperty("get"), provider, taskId);
            var wait = JsonShape.AssertSnapshot(item.GetProperty("wait"), provider, taskId);
            Assert.That(wait.GetProperty("status").GetString(), Is.EqualTo("succeeded"));
            Assert.That(item.GetProperty("error").ValueKind, Is.EqualTo(JsonValueKind.Null));
            var seen = item.GetProperty("statesSeen").EnumerateArray().Select(s => s.GetString()).ToList();
            Assert.That(seen[^1], Is.EqualTo("succeeded"));
            Assert.That(seen, Has.Count.GreaterThanOrEqualTo(2), "the wait saw the task change");
        }

        Assert.That(
            results.Single(r => r.GetProperty("provider").GetString() == "duomi").GetProperty("statesSeen").EnumerateArray().Select(s => s.GetString()),
            Is.EqualTo(QueuedRunningSucceeded));
        // One request per scenario step plus one: the get, then a poll per step (the first step is served twice).
        var scenarios = await DemoScenario.ForEveryProviderAsync(CancellationToken.None);
        Assert.That(json.GetProperty("requestsServed").GetInt32(), Is.EqualTo(scenarios.Sum(s => s.Steps.Count + 1)));
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "sends SIGINT")]
    public async Task CtrlCStopsTheDemoAndItsWireMock()
    {
        // A long interval keeps the demo waiting, so the signal arrives mid-wait.
        using var process = Process.Start(ExecutableRunner.StartInfo(["demo", "--interval", "30s"], CliRunner.NoJavaNoNode()))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderrLines = new List<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (stderrLines)
                {
                    stderrLines.Add(line);
                }

                if (line.Contains("WireMock.Net listening on", StringComparison.Ordinal))
                {
                    listening.TrySetResult(line);
                }
            }

            listening.TrySetException(new InvalidOperationException("stderr ended before WireMock started"));
        });
        try
        {
            var line = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var port = WireMockPortOf(line);
            Assert.That(IsListening(port), Is.True);
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // into the waits

            ExecutableRunner.Signal(process.Id, ExecutableRunner.SigInt);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await reader.WaitAsync(TimeSpan.FromSeconds(5));

            Assert.That(process.ExitCode, Is.EqualTo(ExitCodes.Interrupted), string.Join('\n', stderrLines));
            Assert.That(await stdout, Is.Empty);
            Assert.That(stderrLines[^1], Is.EqualTo("asynctasks: error: interrupted."));
            Assert.That(IsListening(port), Is.False, "nothing listens on the demo's port any more");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static int WireMockPortOf(string text)
    {
        var match = ListeningLine().Match(text);
        Assert.That(match.Success, Is.True, "the demo says where WireMock.Net listens: " + text);
        return int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Newtonsoft.Json.Linq.JToken Parse(string json)
    {
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(json)) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None };
        return Newtonsoft.Json.Linq.JToken.ReadFrom(reader);
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"WireMock\.Net listening on http://127\.0\.0\.1:(?<port>\d+)/ \(in this process\)")]
    private static partial Regex ListeningLine();
}
