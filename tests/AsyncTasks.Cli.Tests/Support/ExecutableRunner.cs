using System.Diagnostics;
using System.Text;
using AsyncTasks.Tests.Infrastructure;

namespace AsyncTasks.Cli.Tests.Support;

/// <summary>Runs the built command (src/Cli/bin/CONFIGURATION/net10.0/asynctasks) as a separate process.</summary>
internal static class ExecutableRunner
{
    /// <summary>SIGINT, as Ctrl+C sends it.</summary>
    public const int SigInt = 2;

    /// <summary>The bound of one run.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>The build output folder of src/Cli in this test run's configuration.</summary>
    public static string OutputDirectory
    {
        get
        {
            // This assembly is in tests/AsyncTasks.Cli.Tests/bin/<Configuration>/<tfm>/.
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = here.Parent?.Name ?? "Debug";
            return Path.Combine(RepositoryLayout.Root, "src", "Cli", "bin", configuration, here.Name);
        }
    }

    /// <summary>The command: the app host named asynctasks, else <c>dotnet AsyncTasks.Cli.dll</c>.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var host = Path.Combine(OutputDirectory, OperatingSystem.IsWindows() ? "asynctasks.exe" : "asynctasks");
        var dll = Path.Combine(OutputDirectory, "AsyncTasks.Cli.dll");
        if (!File.Exists(dll))
        {
            Assert.Fail($"The command line is not built: {dll} is missing (dotnet build AsyncTasks.sln).");
        }

        var startInfo = new ProcessStartInfo(File.Exists(host) ? host : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (!File.Exists(host))
        {
            startInfo.ArgumentList.Add(dll);
        }

        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Only what the test gives, plus what a process needs to run (no ASYNCTASKS_* from the machine).
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("ASYNCTASKS_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    /// <summary>Runs the command to its end (bounded) and returns what it did.</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(args, environment))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The command did not finish within {Bound}.");
        }

        return new CliResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>
    /// Sends a signal to a process with kill(1) (Unix). Fails at once, saying why, when the process ignores it: a
    /// signal ignored by the process that ran the tests (a background job, nohup) stays ignored in every child, and
    /// the .NET runtime honours that, so the child could not react.
    /// </summary>
    public static void Signal(int processId, int signal)
    {
        if (IgnoresSignal(processId, signal))
        {
            Assert.Fail(
                $"Process {processId} ignores signal {signal}: it inherited that from the process running the tests (started in " +
                "the background or under nohup?). Run the tests from a shell that does not ignore it; .ci/run resets it.");
        }

        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-" + signal.ToString(System.Globalization.CultureInfo.InvariantCulture));
        kill.ArgumentList.Add(processId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(kill)!;
        process.WaitForExit(TimeSpan.FromSeconds(10));
        Assert.That(process.ExitCode, Is.Zero, $"kill -{signal} {processId} failed.");
    }

    /// <summary>Whether the process's signal disposition is "ignore" for <paramref name="signal"/> (/proc/PID/status, SigIgn).</summary>
    private static bool IgnoresSignal(int processId, int signal)
    {
        var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && (ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & (1UL << (signal - 1))) != 0;
    }

    /// <summary>Whether a process with this id is running (and not a zombie).</summary>
    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
