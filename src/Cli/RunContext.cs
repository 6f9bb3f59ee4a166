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

    /// <summary>The URL of the output being downloaded, while one is (an error then concerns that host, not the gateway).</summary>
    public Uri? DownloadingFrom { get; set; }

    /// <summary>The keys of this run, hidden from everything printed.</summary>
    public Secrets Secrets { get; } = new();

    /// <summary>Whether a live status line can be drawn (standard error is a terminal).</summary>
    public bool CanShowLiveStatus => Console.ErrorIsTerminal;

    /// <summary>Whether plain progress lines are written to standard error (not with --json, unless --verbose).</summary>
    public bool ShowsProgressLines => !Json || Verbose;

    /// <summary>The facade's log on standard error: warnings (retries) always, everything from Debug up with --verbose.</summary>
    public ILoggerFactory CreateLoggerFactory() =>
        new StderrLoggerFactory(Note, Verbose ? LogLevel.Debug : LogLevel.Warning);

    /// <summary>Remembers the secrets of a provider's settings: its key and what its base URL's user info holds.</summary>
    public void AddSecrets(ProviderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Secrets.Add(settings.ApiKey);
        Secrets.AddUserInfoOf(settings.BaseUrlText);
    }

    /// <summary>One line as it may be shown: keys masked, control characters replaced (see <see cref="Secrets"/>).</summary>
    public string Printable(string line) => Secrets.Printable(Secrets.Redact(line));

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

    /// <summary>
    /// Writes the result (text or the JSON object) to standard output, keys masked. Text results replace control
    /// characters in each value they show (<see cref="TextOutput"/>); JSON escapes them.
    /// </summary>
    public void WriteResult(string text)
    {
        text = Secrets.Redact(text);
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

    /// <summary>Writes one line to standard error, keys masked and control characters (line breaks too) replaced.</summary>
    public void Note(string line)
    {
        line = Printable(line);
        lock (writeLock)
        {
            Console.Error.WriteLine(line);
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

        // Each exception's message on one line (it may quote the gateway), then its stack, line by line.
        for (var current = Verbose ? exception : null; current is not null; current = current.InnerException)
        {
            Note($"{(current == exception ? string.Empty : "---> ")}{current.GetType().FullName}: {current.Message}");
            foreach (var frame in (current.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Note(frame.TrimEnd('\r'));
            }
        }
    }
}
