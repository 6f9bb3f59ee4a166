using System.Diagnostics;
using AsyncTasks.Cli.Tests.Support;
using AsyncTasks.Tests.Infrastructure.WireMock;

namespace AsyncTasks.Cli.Tests;

/// <summary>The built executable, run as a process: what an operator or a script actually runs.</summary>
public sealed class ExecutableTests
{
    [Test]
    public async Task HelpListsTheCommands()
    {
        var result = await ExecutableRunner.RunAsync(["--help"]);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Stdout, Does.Contain("asynctasks [command] [options]").And.Contain("get <provider> <task-id>").And.Contain("demo"));
    }

    [Test]
    public async Task GetWithTheEnvironmentPrintsOneJsonObject()
    {
        await SpecExamples.ServeAsync(Provider.Kexiang, 200, SpecExamples.Example(Provider.Kexiang, "success").Value);
        var environment = new Dictionary<string, string>
        {
            ["ASYNCTASKS_KEXIANG_API_KEY"] = SpecExamples.Key,
            ["ASYNCTASKS_KEXIANG_BASE_URL"] = WireMockServer.Shared.BaseUri.ToString(),
        };

        var result = await ExecutableRunner.RunAsync(["get", "kexiang", "33201", "--json", "--verbose"], environment);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        var json = JsonShape.AssertSnapshot(JsonShape.ParseSingleObject(result.Stdout), Provider.Kexiang, "33201");
        Assert.That(json.GetProperty("status").GetString(), Is.EqualTo("succeeded"));
        Assert.That(result.Stdout + result.Stderr, Does.Not.Contain(SpecExamples.Key));
        Assert.That((await WireMockServer.Shared.GetRequestsAsync()).Single().Header("x-api-key"), Is.EqualTo(SpecExamples.Key));
    }

    [Test]
    public async Task AnUnknownProviderExitsWithTwo()
    {
        var result = await ExecutableRunner.RunAsync(["get", "nope", "1"]);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(result.Stderr.Trim(), Does.StartWith("asynctasks: error: unknown provider 'nope'"));
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "sends SIGINT")]
    public async Task CtrlCInterruptsAWaitWith130()
    {
        await SpecExamples.ServeAsync(Provider.Duomi, 200, SpecExamples.Example(Provider.Duomi, "running").Value);
        var id = SpecExamples.TaskId(Provider.Duomi);
        using var process = Process.Start(ExecutableRunner.StartInfo(["wait", "duomi", id, "--interval", "100ms", .. SpecExamples.Target()], null))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            // The first progress line says the wait is under way.
            var first = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(first, Does.StartWith($"duomi:{id} running"));

            ExecutableRunner.Signal(process.Id, ExecutableRunner.SigInt);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            var rest = await process.StandardError.ReadToEndAsync();

            Assert.That(process.ExitCode, Is.EqualTo(ExitCodes.Interrupted), rest);
            Assert.That(rest.Trim().Split('\n')[^1], Is.EqualTo("asynctasks: error: interrupted."));
            Assert.That(await stdout, Is.Empty);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
