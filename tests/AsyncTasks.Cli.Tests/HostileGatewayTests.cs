using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Cli.Tests;

/// <summary>
/// What a misbehaving gateway sends, and what the command line prints of it: keys echoed in encoded forms, control
/// characters, slow answers and day-long Retry-After.
/// </summary>
public sealed class HostileGatewayTests
{
    // '/', '+' and '=': the characters JSON encoders and URLs rewrite. A key travels in a header, so it is ASCII; the
    // user info of a URL may hold any letter.
    private const string Key = "sk/Live+Tok=en-Omega/42+key==";

    private const string UserInfoKey = "pässwörd/Ωmega+42==";

    private static readonly string TaskId = SpecExamples.TaskId(Provider.Duomi);

    /// <summary>The forms a gateway may echo the key in.</summary>
    private static IEnumerable<string> Forms(string key = Key)
    {
        yield return key;
        var percent = Uri.EscapeDataString(key);
        yield return percent;
        yield return System.Text.RegularExpressions.Regex.Replace(percent, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());
        yield return JsonEncodedText.Encode(key).ToString();
        yield return JsonEscaped(key, upper: false);
        yield return JsonEscaped(key, upper: true);
    }

    /// <summary>'/' as '\/' and every non-ASCII or symbol character as \uXXXX, as PHP's json_encode writes them.</summary>
    private static string JsonEscaped(string text, bool upper)
    {
        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '/' => @"\/",
                _ when c > 127 || c is '+' or '=' => "\\u" + ((int)c).ToString(upper ? "X4" : "x4", System.Globalization.CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    private static Dictionary<string, string> Environment(string? baseUrl = null) => new()
    {
        ["ASYNCTASKS_DUOMI_BASE_URL"] = baseUrl ?? WireMockServer.Shared.BaseUri.ToString(),
        ["ASYNCTASKS_DUOMI_API_KEY"] = Key,
    };

    private static async Task ServeRawAsync(int status, string json)
    {
        var server = WireMockServer.Shared;
        await server.ResetAsync();
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.Duomi).RespondingWith(WireMockResponse.Json(status, json)));
    }

    private static string Succeeded(string url, string fileName) =>
        $$$"""{"code":200,"msg":"success","data":{"task_id":"{{{TaskId}}}","state":"succeeded","data":{"images":[{"url":"{{{url}}}","file_name":"{{{fileName}}}"}]},"create_time":"1767000210","update_time":"1767000231","msg":"","status":"3"}}""";

    private static string Failed(string message) =>
        $$$"""{"code":200,"msg":"success","data":{"task_id":"{{{TaskId}}}","state":"error","data":null,"create_time":"1767000210","update_time":"1767000231","msg":"{{{message}}}","status":"4"}}""";

    private static void AssertNoForm(CliResult result, string label, string key = Key)
    {
        foreach (var form in Forms(key))
        {
            Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(form), $"{label}: {result}");
        }
    }

    [Test]
    public async Task AKeyEchoedPercentEncodedOrJsonEscapedIsNeverPrinted()
    {
        // The key in the output URL (percent-encoded), in the file name (\/ and \uXXXX), and in an error message.
        var echoes = new (string Label, int Status, string Body)[]
        {
            ("url and file name", 200, Succeeded(
                "https://cdn.example.com/0.png?token=" + Uri.EscapeDataString(Key),
                JsonEscaped(Key, upper: false) + ".png")),
            ("failure message", 200, Failed("key " + JsonEscaped(Key, upper: true) + " is over its quota")),
            ("error body", 401, $$"""{"code":401,"msg":"bad key {{JsonEscaped(Key, upper: false)}}"}"""),
        };

        foreach (var (label, status, body) in echoes)
        {
            await ServeRawAsync(status, body);
            foreach (var options in new[] { Array.Empty<string>(), ["--json"], ["--verbose"], ["--json", "--verbose"] })
            {
                var result = await CliRunner.RunAsync(["get", "duomi", TaskId, "--retries", "0", .. options], Environment());
                Assert.That(result.ExitCode, Is.EqualTo(status == 200 ? ExitCodes.Success : ExitCodes.ApiError), $"{label} {string.Join(' ', options)}: {result}");
                AssertNoForm(result, $"{label} {string.Join(' ', options)}");
            }
        }
    }

    [Test]
    public async Task AKeyInTheBaseUrlsUserInfoIsRefusedAndNeverPrinted()
    {
        foreach (var key in new[] { Key, UserInfoKey })
        {
            foreach (var url in new[] { $"https://user:{Uri.EscapeDataString(key)}@gateway.example.com/", $"https://user:{key}@gateway.example.com/" })
            {
                string[][] runs = [["providers"], ["providers", "--json"], ["get", "duomi", TaskId], ["get", "duomi", TaskId, "--json", "--verbose"]];
                foreach (var args in runs)
                {
                    var label = $"{string.Join(' ', args)} {url}";
                    var fromEnvironment = await CliRunner.RunAsync(args, Environment(url));

                    AssertNoForm(fromEnvironment, label, key);
                    if (args[0] == "get")
                    {
                        var fromOption = await CliRunner.RunAsync([.. args, "--base-url", url], new Dictionary<string, string>());
                        AssertNoForm(fromOption, label + " --base-url", key);
                        Assert.That(fromEnvironment.ExitCode, Is.EqualTo(ExitCodes.Usage), fromEnvironment.ToString());
                        Assert.That(fromOption.ExitCode, Is.EqualTo(ExitCodes.Usage), fromOption.ToString());
                    }
                    else if (args.Contains("--json"))
                    {
                        using var document = JsonDocument.Parse(fromEnvironment.Stdout);
                        var duomi = document.RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "duomi");
                        Assert.That(duomi.GetProperty("baseUrl").GetString(), Is.EqualTo("https://***@gateway.example.com/"), label);
                        Assert.That(duomi.GetProperty("problem").GetString(), Is.Not.Null, "refused: user info, or not a URL at all");
                    }
                }
            }
        }
    }

    [Test]
    public async Task ControlCharactersFromTheGatewayAreReplacedInTextAndEscapedInJson()
    {
        // Retitles the terminal, clears the screen, returns to the line start and forges an error line; C1 CSI and DEL.
        const string Hostile = "\u001b]0;pwned\u0007\u001b[2J\r\nasynctasks: error: forged\u009b31m\u007f";
        await ServeRawAsync(200, Failed(JsonEncodedText.Encode(Hostile).ToString()));

        foreach (var command in new[] { "get", "wait" })
        {
            var text = await CliRunner.RunAsync([command, "duomi", TaskId], Environment());
            var json = await CliRunner.RunAsync([command, "duomi", TaskId, "--json"], Environment());

            var printed = text.Stdout + text.Stderr;
            Assert.That(printed.Where(c => char.IsControl(c) && c != '\n'), Is.Empty, $"{command}: {text}");
            Assert.That(printed.Split('\n').Where(line => line.StartsWith("asynctasks: error: forged", StringComparison.Ordinal)), Is.Empty);
            Assert.That(text.Stdout, Does.Contain("asynctasks: error: forged"), "the text is still shown, on the error's line");
            Assert.That(json.Stdout.Where(char.IsControl).Where(c => c != '\n'), Is.Empty, json.ToString());
            using var document = JsonDocument.Parse(json.Stdout);
            Assert.That(document.RootElement.GetProperty("error").GetProperty("message").GetString(), Is.EqualTo(Hostile), "JSON carries the text, escaped");
        }
    }

    [Test]
    public async Task WaitTimeoutBoundsADayLongRetryAfterAndASlowAnswer()
    {
        var server = WireMockServer.Shared;
        var answers = new[]
        {
            WireMockResponse.Json(429, "{}").WithHeader("Retry-After", "86400"),
            WireMockResponse.Json(200, Failed("late")).WithFixedDelay(TimeSpan.FromSeconds(20)),
        };
        foreach (var answer in answers)
        {
            await server.ResetAsync();
            await server.AddStubAsync(SpecExamples.RequestStub(Provider.Duomi).RespondingWith(answer));
            var clock = Stopwatch.StartNew();

            var result = await CliRunner.RunAsync(["wait", "duomi", TaskId, "--timeout", "1s", "--json"], Environment());

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), result.ToString());
            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.WaitTimeout), result.ToString());
            using var document = JsonDocument.Parse(result.Stdout);
            Assert.That(document.RootElement.GetProperty("error").GetProperty("kind").GetString(), Is.EqualTo("timeout"));
        }
    }

    [Test]
    public async Task WaitTimeoutBoundsTheDownloadThatFollows()
    {
        // The task is done at once; its output answers after 20 s.
        var server = WireMockServer.Shared;
        await server.ResetAsync();
        var output = new Uri(server.BaseUri, "files/slow.png");
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.Duomi).RespondingWith(WireMockResponse.Json(200, Succeeded(output.AbsoluteUri, "slow.png"))));
        await server.AddStubAsync(WireMockStub.ForPath(HttpMethod.Get, "/files/slow.png").RespondingWith(
            WireMockResponse.Binary(200, new byte[] { 1, 2, 3 }, "image/png").WithFixedDelay(TimeSpan.FromSeconds(20))));
        var directory = Directory.CreateTempSubdirectory("asynctasks-slow-");
        try
        {
            var clock = Stopwatch.StartNew();

            var result = await CliRunner.RunAsync(["wait", "duomi", TaskId, "--timeout", "1s", "--download", directory.FullName], Environment());

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), result.ToString());
            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.WaitTimeout), result.ToString());
            Assert.That(result.Stderr, Does.Contain("succeeded but its outputs were not all saved"));
            Assert.That(directory.GetFiles(), Is.Empty, "the partial file is removed");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void TheMaskFindsAKeyWithNonAsciiLettersInEveryEncodingAndMixesOfThem()
    {
        var secrets = new Secrets();
        secrets.Add(UserInfoKey);
        var mixed = "p%C3%A4ssw\\u00f6rd\\/\\u03a9mega%2B42=%3d";
        foreach (var form in Forms(UserInfoKey).Append(mixed).Append(Uri.EscapeDataString(UserInfoKey).Replace("%2B", "+", StringComparison.Ordinal)))
        {
            var text = $"before {form} after";
            var masked = secrets.Redact(text);
            Assert.That(masked, Is.EqualTo("before *** after"), form);
        }
    }

    [Test]
    public async Task AFileThatCannotBeWrittenIsAnIoErrorNotAUsageError()
    {
        // The folder is fine, but the file's name is taken by a folder: the finished download cannot be put in place.
        var server = WireMockServer.Shared;
        await server.ResetAsync();
        var output = new Uri(server.BaseUri, "files/a.png");
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.Duomi).RespondingWith(WireMockResponse.Json(200, Succeeded(output.AbsoluteUri, "a.png"))));
        await server.AddStubAsync(WireMockStub.ForPath(HttpMethod.Get, "/files/a.png").RespondingWith(WireMockResponse.Binary(200, new byte[] { 1, 2, 3 }, "image/png")));
        var directory = Directory.CreateTempSubdirectory("asynctasks-readonly-");
        try
        {
            directory.CreateSubdirectory("a.png").CreateSubdirectory("inside");

            var result = await CliRunner.RunAsync(["wait", "duomi", TaskId, "--download", directory.FullName], Environment());

            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.WriteFailed), result.ToString());
            Assert.That(result.Stderr, Does.Contain($"asynctasks: error: cannot write {Path.Combine(directory.FullName, "a.png")}: "));
            Assert.That(directory.GetFiles(), Is.Empty, "the partial file is removed");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task AFailedDownloadFromAnotherHostDoesNotAdviseCheckingTheGatewaysBaseUrl()
    {
        // The output lives on localhost (another host than the gateway's 127.0.0.1) and is gone.
        var server = WireMockServer.Shared;
        await server.ResetAsync();
        var output = $"http://localhost:{server.Port}/files/gone.png";
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.Duomi).RespondingWith(WireMockResponse.Json(200, Succeeded(output, "gone.png"))));
        await server.AddStubAsync(WireMockStub.ForPath(HttpMethod.Get, "/files/gone.png").RespondingWith(WireMockResponse.Text(500, "broken")));
        var directory = Directory.CreateTempSubdirectory("asynctasks-gone-");
        try
        {
            var result = await CliRunner.RunAsync(["wait", "duomi", TaskId, "--retries", "0", "--download", directory.FullName], Environment());

            Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError), result.ToString());
            Assert.That(result.Stderr, Does.Contain("What to do: could not fetch the output from localhost"));
            Assert.That(result.Stderr, Does.Not.Contain("BASE_URL").And.Not.Contain("--base-url"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task APlaceholderTimeIsNoTimeAndAnEmptySuccessIsAFailedWait()
    {
        var server = WireMockServer.Shared;
        var kexiang = SpecExamples.TaskId(Provider.Kexiang);
        var environment = new Dictionary<string, string>
        {
            ["ASYNCTASKS_KEXIANG_BASE_URL"] = server.BaseUri.ToString(),
            ["ASYNCTASKS_KEXIANG_API_KEY"] = Key,
        };
        await server.ResetAsync();
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.Kexiang).RespondingWith(WireMockResponse.Json(
            200, $$$"""{"id":{{{kexiang}}},"created_at":"0000-00-00T00:00:00Z","updated_at":"","task_status":"success","service_output":{"imgUrl":"https://cdn.example.com/x.png"}}""")));

        var read = await CliRunner.RunAsync(["get", "kexiang", kexiang, "--json"], environment);

        Assert.That(read.ExitCode, Is.EqualTo(ExitCodes.Success), read.ToString());
        using (var document = JsonDocument.Parse(read.Stdout))
        {
            Assert.That(document.RootElement.GetProperty("createdAt").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("succeeded"));
        }

        await ServeRawAsync(200, Succeeded("not a url", "a.png"));
        var wait = await CliRunner.RunAsync(["wait", "duomi", TaskId, "--json"], Environment());

        Assert.That(wait.ExitCode, Is.EqualTo(ExitCodes.TaskUnsuccessful), wait.ToString());
        using (var document = JsonDocument.Parse(wait.Stdout))
        {
            Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("failed"));
            Assert.That(document.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("empty_result"));
        }
    }

    [Test]
    public async Task ASkyEngine400SayingTheOperationDoesNotExistIsNotFound()
    {
        var server = WireMockServer.Shared;
        await server.ResetAsync();
        await server.AddStubAsync(SpecExamples.RequestStub(Provider.SkyEngine).RespondingWith(
            WireMockResponse.Json(400, """{"error":{"code":2004,"message":"operation does not exist"}}""")));

        var result = await CliRunner.RunAsync(
            ["get", "skyengine", SpecExamples.TaskId(Provider.SkyEngine), "--json"],
            new Dictionary<string, string> { ["ASYNCTASKS_SKYENGINE_BASE_URL"] = server.BaseUri.ToString(), ["ASYNCTASKS_SKYENGINE_API_KEY"] = Key });

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.ApiError), result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.That(document.RootElement.GetProperty("error").GetProperty("kind").GetString(), Is.EqualTo("not_found"));
        Assert.That(result.Stderr, Does.Contain("check the task id"));
    }

    [Test]
    public async Task ASkyEngineShortOperationNameIsReadWithModelAndRefusedWithoutSayingWhatIsMissing()
    {
        var server = WireMockServer.Shared;
        await SpecExamples.ServeAsync(Provider.SkyEngine, 200, SpecExamples.Example(Provider.SkyEngine, "running").Value);
        var full = SpecExamples.TaskId(Provider.SkyEngine);
        var parts = full.Split('/');
        var shortName = $"projects/{parts[1]}/locations/{parts[3]}/operations/{parts[9]}";
        var environment = new Dictionary<string, string> { ["ASYNCTASKS_SKYENGINE_BASE_URL"] = server.BaseUri.ToString(), ["ASYNCTASKS_SKYENGINE_API_KEY"] = Key };

        var withModel = await CliRunner.RunAsync(["get", "skyengine", shortName, "--model", parts[7], "--json"], environment);
        var without = await CliRunner.RunAsync(["get", "skyengine", shortName], environment);

        Assert.That(parts[5], Is.EqualTo("google"), "the served name's publisher is the default");
        Assert.That(withModel.ExitCode, Is.EqualTo(ExitCodes.Success), withModel.ToString());
        using var document = JsonDocument.Parse(withModel.Stdout);
        Assert.That(document.RootElement.GetProperty("taskId").GetString(), Is.EqualTo(full));
        Assert.That(without.ExitCode, Is.EqualTo(ExitCodes.Usage), without.ToString());
        Assert.That(without.Stderr, Does.Contain("names no model"));
    }
}
