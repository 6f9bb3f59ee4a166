using System.Reflection;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Cli;

/// <summary>One invocation: its console, its global options (--json, --verbose) and the keys to hide.</summary>
internal sealed class RunContext(CliConsole console, bool json, bool verbose, CancellationToken cancellationToken)
{
    private readonly Lock writeLock = new();

    /// <summary>Where output goes.</summary>
    public CliConsole Console { get; } = console;

    /// <summary>--json: one JSON object on stdout and nothing else there.</summary>
    public bool Json { get; } = json;

    /// <summary>--verbose: the facade's log and, on errors, the stack trace (never a key).</summary>
    public bool Verbose { get; } = verbose;

    /// <summary>Cancelled by Ctrl+C / SIGINT / SIGTERM.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The settings of the provider the command talks to, once resolved (for the advice of error lines).</summary>
    public ProviderSettings? Settings { get; set; }

    /// <summary>The keys of this run, hidden from everything printed.</summary>
    public Secrets Secrets { get; } = new();

    /// <summary>Whether a live status line can be drawn (standard error is a terminal).</summary>
    public bool CanShowLiveStatus => Console.ErrorIsTerminal;

    /// <summary>Whether plain progress lines are written to standard error (not with --json, unless --verbose).</summary>
    public bool ShowsProgressLines => !Json || Verbose;

    /// <summary>The facade's log on standard error: warnings (retries) always, everything from Debug up with --verbose.</summary>
    public ILoggerFactory CreateLoggerFactory() =>
        new StderrLoggerFactory(Note, Secrets, Verbose ? LogLevel.Debug : LogLevel.Warning);

    /// <summary>The User-Agent text the facade adds: <c>asynctasks/VERSION</c>.</summary>
    public static string UserAgent { get; } = "asynctasks/" + Version;

    /// <summary>The tool's version (the package version).</summary>
    public static string Version
    {
        get
        {
            var informational = typeof(RunContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return informational?.Split('+')[0] ?? "0.0.0";
        }
    }

    /// <summary>Writes the result (text or the JSON object) to standard output.</summary>
    public void WriteResult(string text)
    {
        lock (writeLock)
        {
            Console.Out.Write(text);
            if (!text.EndsWith('\n'))
            {
                Console.Out.WriteLine();
            }

            Console.Out.Flush();
        }
    }

    /// <summary>Writes one line to standard error, keys masked.</summary>
    public void Note(string line)
    {
        lock (writeLock)
        {
            Console.Error.WriteLine(Secrets.Redact(line));
            Console.Error.Flush();
        }
    }

    /// <summary>
    /// The one error line (<c>asynctasks: error: …</c>) and, with --verbose, the exception with its stack trace;
    /// keys masked in both.
    /// </summary>
    public void Fail(string message, Exception? exception = null)
    {
        Note($"asynctasks: error: {message}");
        if (Verbose && exception is not null)
        {
            Note(exception.ToString());
        }
    }
}
