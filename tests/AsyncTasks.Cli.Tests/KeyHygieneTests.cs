using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Cli.Tests;

/// <summary>The key reaches the provider and nothing else: never stdout, never stderr, not even with --verbose.</summary>
public sealed class KeyHygieneTests
{
    private const string Key = SpecExamples.Key;

    private static IEnumerable<TestCaseData> Runs()
    {
        var id = SpecExamples.TaskId(Provider.Mountsea);
        yield return new TestCaseData("get ok", 200, "videoCompleted", Args("get", id)).SetName("get that succeeds");
        yield return new TestCaseData("get 401", 401, "unauthorized", Args("get", id)).SetName("get refused (the body echoes the key)");
        yield return new TestCaseData("wait ok", 200, "videoCompleted", Args("wait", id, "--interval", "50ms")).SetName("wait that succeeds");
        yield return new TestCaseData("wait timeout", 200, "processing", Args("wait", id, "--interval", "50ms", "--timeout", "1s")).SetName("wait that times out");
    }

    [TestCaseSource(nameof(Runs))]
    public async Task TheKeyIsSentButNeverPrinted(string label, int status, string example, string[] args)
    {
        var body = SpecExamples.Example(Provider.Mountsea, example, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value.DeepClone();
        if (status != 200)
        {
            // A gateway that repeats the key in its error message.
            ((JObject)body)["message"] = $"Invalid API key {Key}";
        }

        await SpecExamples.ServeAsync(Provider.Mountsea, status, body);
        foreach (var variant in new[] { "--verbose", "--json" })
        {
            foreach (var viaEnvironment in new[] { false, true })
            {
                var environment = new Dictionary<string, string> { ["ASYNCTASKS_MOUNTSEA_BASE_URL"] = WireMockServer.Shared.BaseUri.ToString() };
                string[] run = [.. args, variant, "--retries", "0"];
                if (viaEnvironment)
                {
                    environment["ASYNCTASKS_MOUNTSEA_API_KEY"] = Key;
                }
                else
                {
                    run = [.. run, "--api-key", Key];
                }

                var result = await CliRunner.RunAsync(run, environment);

                Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(Key), $"{label} {variant} env={viaEnvironment}: {result}");
                Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(Key[..12]), "not even a prefix");
            }
        }

        var requests = await WireMockServer.Shared.GetRequestsAsync();
        Assert.That(requests, Is.Not.Empty);
        Assert.That(requests.Select(r => r.Header("Authorization")), Is.All.EqualTo("Bearer " + Key), "the key did reach the provider");
    }

    [Test]
    public async Task AConfigurationErrorWithVerboseDoesNotPrintTheKey()
    {
        var result = await CliRunner.RunAsync(["get", "duomi", "abc", "--verbose", "--api-key", Key, "--base-url", "http://gateway.example.com/"], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(Key));
    }

    [Test]
    public async Task AParseErrorQuotingTheKeyDoesNotPrintIt()
    {
        // The key pasted where the task id goes, one argument too many: the parser quotes the extra token.
        var fromOption = await CliRunner.RunAsync(["get", "duomi", "abc", Key, "--api-key", Key], null);
        var fromEnvironment = await CliRunner.RunAsync(
            ["get", Key, "abc"], new Dictionary<string, string> { ["ASYNCTASKS_DUOMI_API_KEY"] = Key });

        Assert.That(fromOption.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(fromEnvironment.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(fromOption.Stderr + fromEnvironment.Stderr, Does.Contain("***"));
        Assert.That(fromOption.Stdout + fromOption.Stderr + fromEnvironment.Stdout + fromEnvironment.Stderr, Does.Not.Contain(Key));
    }

    [Test]
    public async Task ProvidersSaysWhetherAKeyIsSetNeverWhichOne()
    {
        var environment = new Dictionary<string, string> { ["ASYNCTASKS_DUOMI_API_KEY"] = Key };

        var text = await CliRunner.RunAsync(["providers", "--verbose"], environment);
        var json = await CliRunner.RunAsync(["providers", "--json"], environment);

        Assert.That(text.Stdout + text.Stderr + json.Stdout + json.Stderr, Does.Not.Contain(Key));
    }

    private static string[] Args(string command, string id, params string[] more) => [command, "mountsea", id, .. more];
}
