using Spectre.Console;

namespace AsyncTasks.Cli;

/// <summary>
/// Where the command line reads its environment and writes its output. <see cref="FromProcess"/> is the real
/// console; tests pass string writers and a dictionary, so they run in-process without touching the process.
/// </summary>
internal sealed class CliConsole
{
    /// <summary>Standard output: results, and with --json the one JSON object and nothing else.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: progress, warnings and error lines.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Whether standard output is a terminal (not redirected).</summary>
    public bool OutIsTerminal { get; init; }

    /// <summary>Whether standard error is a terminal (not redirected): live status lines go there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Reads an environment variable; <see langword="null"/> when unset.</summary>
    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    /// <summary>The process's console and environment.</summary>
    public static CliConsole FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        OutIsTerminal = !Console.IsOutputRedirected,
        ErrorIsTerminal = !Console.IsErrorRedirected,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
    };

    /// <summary>The width of the process's terminal, or 160 when it cannot be read.</summary>
    public static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 160;
        }
        catch (IOException)
        {
            return 160;
        }
    }

    /// <summary>A Spectre console over <paramref name="writer"/>: colours and live rendering only on a terminal.</summary>
    public static IAnsiConsole CreateAnsiConsole(TextWriter writer, bool isTerminal, int? widthWhenRedirected = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!isTerminal && widthWhenRedirected is { } width)
        {
            console.Profile.Width = width;
        }

        return console;
    }
}
