using System.Globalization;

namespace AsyncTasks.Cli.Tests.Support;

/// <summary>What one run of the command line did.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Everything written to standard output.</param>
/// <param name="Stderr">Everything written to standard error.</param>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>For assertion messages.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"exit {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}");
}

/// <summary>Runs <c>asynctasks</c> in-process through <see cref="CliApp.RunAsync"/>, with string writers and a given environment.</summary>
internal static class CliRunner
{
    /// <summary>The bound of one run; every test stays far below it.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Runs with no environment variables at all.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, environment: null);

    /// <summary>Runs with exactly <paramref name="environment"/> as the environment.</summary>
    public static async Task<CliResult> RunAsync(
        string[] args,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken = default)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var console = new CliConsole
        {
            Out = TextWriter.Synchronized(stdout),
            Error = TextWriter.Synchronized(stderr),
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
        };
        var run = CliApp.RunAsync(args, console, handleSignals: false, cancellationToken);
        var finished = await Task.WhenAny(run, Task.Delay(Bound, CancellationToken.None)).ConfigureAwait(false);
        if (finished != run)
        {
            Assert.Fail($"asynctasks {string.Join(' ', args)} did not finish within {Bound}.{Environment.NewLine}{stderr}");
        }

        return new CliResult(await run.ConfigureAwait(false), stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// An environment without Java or Node.js, which the demo needs neither of: PATH points nowhere, no JAVA_HOME;
    /// DOTNET_ROOT lets a started executable find the runtime it runs on.
    /// </summary>
    public static Dictionary<string, string> NoJavaNoNode() => new(StringComparer.Ordinal)
    {
        ["PATH"] = "/nonexistent",
        ["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..")),
    };
}
