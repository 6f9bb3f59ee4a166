using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Cli.Tests;

/// <summary>Every exit code: 0, 1, 2, 3, 4 and 130, each with its one error line and its stdout.</summary>
public sealed class ExitCodeTests
{
    private static readonly string DuomiId = SpecExamples.TaskId(Provider.Duomi);

    [Test]
    public async Task GetIsZeroWhateverTheTaskState()
    {
        await SpecExamples.ServeAsync(Provider.Duomi, 200, SpecExamples.Example(Provider.Duomi, "error").Value);

        var result = await CliRunner.RunAsync(["get", "duomi", DuomiId, .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Stdout, Does.Contain("failed (provider: error)"));
        Assert.That(result.Stdout, Does.Contain("content policy violation"));
    }

    [TestCase(Provider.Duomi, "error", "failed")]
    [TestCase(Provider.Mountsea, "timeout", "timed_out")]
    [TestCase(Provider.TencentVod, "canceled", "cancelled")]
    [TestCase(Provider.Kexiang, "failed", "failed")]
    [TestCase(Provider.SkyEngine, "doneWithError", "failed")]
    public async Task WaitIsOneWhenTheTaskEndsUnsuccessfully(Provider provider, string example, string status)
    {
        await SpecExamples.ServeAsync(provider, 200, SpecExamples.Example(provider, example).Value);

        var result = await CliRunner.RunAsync(
            ["wait", provider.GetName(), SpecExamples.TaskId(provider), "--json", "--interval", "50ms", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.TaskUnsuccessful), result.ToString());
        var json = JsonShape.AssertSnapshot(JsonShape.ParseSingleObject(result.Stdout), provider, SpecExamples.TaskId(provider));
        Assert.That(json.GetProperty("status").GetString(), Is.EqualTo(status));
        Assert.That(json.GetProperty("error").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Object));
    }

    private static IEnumerable<TestCaseData> UsageErrors()
    {
        const string key = SpecExamples.Key;
        yield return Usage("no command", "a command is required");
        yield return Usage("unknown command", "frobnicate", "frobnicate");
        yield return Usage("missing arguments", "get --help", "get");
        yield return Usage("unknown provider", $"unknown provider 'midjourney'; use one of {string.Join(", ", ProviderNames.All.Select(p => p.GetName()))}", "get", "midjourney", "abc");
        yield return Usage("missing key", "set ASYNCTASKS_DUOMI_API_KEY", "get", "duomi", "abc");
        yield return Usage("missing base URL", "ASYNCTASKS_TENCENT_VOD_BASE_URL", "get", "tencent-vod", "abc", "--api-key", key);
        yield return Usage("malformed base URL", "not an absolute http(s) URL", "get", "duomi", "abc", "--api-key", key, "--base-url", "gateway.example.com");
        yield return Usage("base URL of another scheme", "not an absolute http(s) URL", "get", "duomi", "abc", "--api-key", key, "--base-url", "ftp://gateway.example.com/");
        yield return Usage("base URL with a query", "must not contain a query", "get", "duomi", "abc", "--api-key", key, "--base-url", "https://gateway.example.com/?x=1");
        yield return Usage("refused http base URL", "clear text; use https://", "get", "duomi", "abc", "--api-key", key, "--base-url", "http://gateway.example.com/");
        yield return Usage("malformed duration", "--timeout: 'soon' is not a duration", "wait", "duomi", "abc", "--api-key", key, "--timeout", "soon");
        yield return Usage("zero interval", "--interval must be longer than zero", "wait", "duomi", "abc", "--api-key", key, "--interval", "0s");
        yield return Usage("retries out of range", "--retries must be between 0 and 100", "get", "duomi", "abc", "--api-key", key, "--retries", "101");
        yield return Usage("empty key option", "--api-key is empty", "get", "duomi", "abc", "--api-key", " ");
    }

    private static TestCaseData Usage(string name, string expected, params string[] args) =>
        new TestCaseData(args, expected).SetName(name);

    [TestCaseSource(nameof(UsageErrors))]
    public async Task UsageAndConfigurationErrorsAreTwoWithOneLine(string[] args, string expected)
    {
        var result = await CliRunner.RunAsync([.. args, "--json"], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage), result.ToString());
        var lines = result.Stderr.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), "one line on stderr: " + result.Stderr);
        Assert.That(lines[0], Does.StartWith("asynctasks: error: "));
        Assert.That(lines[0], Does.Contain(expected));
        Assert.That(lines[0], Does.Not.Contain("   at "), "no stack trace without --verbose");
    }

    [Test]
    public async Task AnInvalidSkyEngineOperationNameIsAUsageError()
    {
        var result = await CliRunner.RunAsync(["get", "skyengine", "operation-123", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage), result.ToString());
        Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(result.Stdout, Is.Empty);
    }

    [Test]
    public async Task DownloadIntoAFileIsAUsageError()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = await CliRunner.RunAsync(["wait", "duomi", DuomiId, "--download", file, .. SpecExamples.Target()], null);

            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage), result.ToString());
            Assert.That(result.Stderr, Does.Contain("is a file; pass a directory"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase(401, "authentication", "check the API key (ASYNCTASKS_DUOMI_API_KEY or --api-key)")]
    [TestCase(404, "not_found", "check the task id")]
    [TestCase(500, "server", "the provider failed")]
    [TestCase(429, "rate_limited", "the provider is rate limiting this key")]
    public async Task ApiErrorsAreThree(int status, string kind, string advice)
    {
        await SpecExamples.ServeAsync(Provider.Duomi, status, Newtonsoft.Json.Linq.JObject.Parse("""{"code":1,"msg":"no"}"""));

        var result = await CliRunner.RunAsync(["get", "duomi", DuomiId, "--json", "--retries", "0", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError), result.ToString());
        var error = JsonShape.AssertError(JsonShape.ParseSingleObject(result.Stdout));
        Assert.Multiple(() =>
        {
            Assert.That(error.GetProperty("kind").GetString(), Is.EqualTo(kind));
            Assert.That(error.GetProperty("httpStatus").GetInt32(), Is.EqualTo(status));
            Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(result.Stderr, Does.Contain("What to do: " + advice));
        });
    }

    [Test]
    public async Task AnInBandApiErrorKeepsTheProviderCode()
    {
        await SpecExamples.ServeAsync(Provider.SkyEngine, 401, SpecExamples.Example(Provider.SkyEngine, "keyInvalid", "401").Value);

        var result = await CliRunner.RunAsync(["get", "skyengine", SpecExamples.TaskId(Provider.SkyEngine), "--json", .. SpecExamples.Target()], null);

        var error = JsonShape.AssertError(JsonShape.ParseSingleObject(result.Stdout));
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError));
        Assert.That(error.GetProperty("providerCode").GetString(), Is.EqualTo("2101"));
    }

    [Test]
    public async Task AMalformedAnswerIsAProtocolError()
    {
        var server = WireMockServer.Shared;
        await server.ResetAsync();
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.Duomi).RespondingWith(WireMockResponse.Json(200, "{\"code\": 200, \"data\": {")));

        var result = await CliRunner.RunAsync(["get", "duomi", DuomiId, "--json", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError), result.ToString());
        Assert.That(JsonShape.AssertError(JsonShape.ParseSingleObject(result.Stdout)).GetProperty("kind").GetString(), Is.EqualTo("protocol"));
    }

    [Test]
    public async Task AClosedPortIsATransportError()
    {
        var port = ClosedPort();

        var result = await CliRunner.RunAsync(
            ["get", "duomi", DuomiId, "--json", "--retries", "0", "--base-url", $"http://127.0.0.1:{port}/", "--api-key", SpecExamples.Key], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError), result.ToString());
        var error = JsonShape.AssertError(JsonShape.ParseSingleObject(result.Stdout));
        Assert.That(error.GetProperty("kind").GetString(), Is.EqualTo("transport"));
        Assert.That(error.GetProperty("httpStatus").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(result.Stderr, Does.Contain($"could not reach http://127.0.0.1:{port}/"));
    }

    [Test]
    public async Task AWaitLongerThanTimeoutIsFour()
    {
        await SpecExamples.ServeAsync(Provider.Duomi, 200, SpecExamples.Example(Provider.Duomi, "running").Value);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await CliRunner.RunAsync(
            ["wait", "duomi", DuomiId, "--json", "--interval", "50ms", "--timeout", "1500ms", .. SpecExamples.Target()], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.WaitTimeout), result.ToString());
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        var error = JsonShape.AssertError(JsonShape.ParseSingleObject(result.Stdout));
        Assert.That(error.GetProperty("kind").GetString(), Is.EqualTo("timeout"));
        Assert.That(result.Stderr, Does.Contain("waited 1s500ms for duomi:" + DuomiId + " and it is still running (running); wait longer with --timeout"));
        Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task AnInterruptedWaitIs130()
    {
        await SpecExamples.ServeAsync(Provider.Duomi, 200, SpecExamples.Example(Provider.Duomi, "running").Value);
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var result = await CliRunner.RunAsync(
            ["wait", "duomi", DuomiId, "--json", "--interval", "100ms", .. SpecExamples.Target()], null, interrupt.Token);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Interrupted), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.Stderr.Trim(), Is.EqualTo("asynctasks: error: interrupted."));
    }

    [Test]
    public async Task VerboseAddsTheStackTrace()
    {
        var result = await CliRunner.RunAsync(
            ["get", "duomi", DuomiId, "--verbose", "--retries", "0", "--base-url", $"http://127.0.0.1:{ClosedPort()}/", "--api-key", SpecExamples.Key], null);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError));
        Assert.That(result.Stderr, Does.Contain("   at "));
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
