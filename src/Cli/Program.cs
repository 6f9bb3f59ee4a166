namespace AsyncTasks.Cli;

/// <summary>The entry point of <c>asynctasks</c>.</summary>
internal static class Program
{
    /// <summary>Runs the command line on the process's console; Ctrl+C, SIGINT and SIGTERM interrupt it (exit code 130).</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> Main(string[] args) =>
        CliApp.RunAsync(args, CliConsole.FromProcess(), handleSignals: true);
}
