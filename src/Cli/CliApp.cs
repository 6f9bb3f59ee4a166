using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace AsyncTasks.Cli;

/// <summary>
/// The command tree of <c>asynctasks</c> and the one place that turns outcomes into exit codes and error lines.
/// <see cref="RunAsync"/> is the entry point; <see cref="Program"/> calls it with the real console, tests with
/// string writers.
/// </summary>
internal static class CliApp
{
    /// <summary>--json, on every command.</summary>
    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print exactly one JSON object on standard output and nothing else there.",
        Recursive = true,
    };

    /// <summary>--verbose, on every command.</summary>
    public static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Log every request to standard error, and print stack traces of errors. Keys are never printed.",
        Recursive = true,
    };

    /// <summary>Runs the command line and returns the process exit code.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where to write and the environment to read.</param>
    /// <param name="handleSignals">Whether Ctrl+C, SIGINT and SIGTERM cancel the command (the real process only).</param>
    /// <param name="cancellationToken">Interrupts the command (exit code 130).</param>
    public static async Task<int> RunAsync(
        string[] args,
        CliConsole console,
        bool handleSignals = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var root = BuildRootCommand(console);

        // No @response-file expansion: a task id or a key may start with '@'.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,

            // On a signal the action's token is cancelled; it stops WireMock and returns 130 well within this.
            ProcessTerminationTimeout = handleSignals ? TimeSpan.FromSeconds(10) : null,
        };

        if (parsed.Action is ParseErrorAction)
        {
            return UsageError(parsed, console, KnownKeys(args, console));
        }

        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The whole command tree.</summary>
    public static Command BuildRootCommand(CliConsole console)
    {
        // A plain command named asynctasks rather than RootCommand, whose name would be the executable's
        // (AsyncTasks.Cli, dotnet, testhost) in help and error lines.
        var root = new Command(
            "asynctasks",
            "Read, wait for and download the results of AI image and video generation tasks at " +
            string.Join(", ", ProviderNames.All.Select(p => p.GetName())) + ". Exit codes: 0 success, 1 task failed/cancelled/timed out, " +
            "2 usage or configuration error, 3 API or transport error, 4 --timeout exceeded, 5 a --download file could not be written, " +
            "130 interrupted.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(JsonOption);
        root.Options.Add(VerboseOption);
        root.Subcommands.Add(TaskCommands.CreateGetCommand(console));
        root.Subcommands.Add(TaskCommands.CreateWaitCommand(console));
        root.Subcommands.Add(ProvidersCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.SetAction(parseResult =>
        {
            // No command: show what there is, and say it was a usage error.
            new HelpAction().Invoke(parseResult);
            console.Error.WriteLine("asynctasks: error: a command is required: get, wait, providers or demo (try `asynctasks demo`).");
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>
    /// Wraps a command's body: builds its <see cref="RunContext"/> and maps every outcome to an exit code and one
    /// error line on standard error (plus the JSON error object on standard output for API errors with --json).
    /// </summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(
        CliConsole console,
        Func<RunContext, ParseResult, Task<int>> body) =>
        async (parseResult, cancellationToken) =>
        {
            var run = new RunContext(console, parseResult.GetValue(JsonOption), parseResult.GetValue(VerboseOption), cancellationToken);
            try
            {
                return await body(run, parseResult).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception) when (cancellationToken.IsCancellationRequested)
            {
                run.Fail("interrupted.", run.Verbose ? exception : null);
                return ExitCodes.Interrupted;
            }
            catch (UsageException exception)
            {
                run.Fail(exception.Message, exception);
                return ExitCodes.Usage;
            }
            catch (TaskWaitTimeoutException exception)
            {
                var last = exception.LastSnapshot switch
                {
                    null => "it was never read",
                    { IsTerminal: true } snapshot => $"it ended {snapshot.State.GetName()} but its outputs were not all saved in that time",
                    var snapshot => $"it is still {snapshot.State.GetName()} ({snapshot.ProviderState ?? "-"})",
                };
                var message = $"waited {Duration.Format(exception.Timeout)} for {exception.Task} and {last}; " +
                    "wait longer with --timeout, or run the same wait again later";
                if (run.Json)
                {
                    run.WriteResult(JsonOutput.Error(exception, message));
                }

                run.Fail(message, exception);
                return ExitCodes.WaitTimeout;
            }
            catch (TaskClientException exception)
            {
                var settings = run.Settings;
                var advice = settings is null ? "try again later" : TextOutput.Advice(exception, settings, run.DownloadingFrom);
                if (run.Json)
                {
                    run.WriteResult(JsonOutput.Error(exception, exception.Message));
                }

                run.Fail($"{exception.Message} What to do: {advice}.", exception);
                return ExitCodes.ApiError;
            }
            catch (OutputWriteException exception)
            {
                run.Fail($"{exception.Message} Check the free space and the permissions there, or choose another --download directory.", exception);
                return ExitCodes.WriteFailed;
            }
            catch (ArgumentException exception)
            {
                // The facade's misuse errors: an invalid task id (e.g. a malformed SkyEngine operation name) or option.
                run.Fail($"{exception.Message} Check the task id and the options.", exception);
                return ExitCodes.Usage;
            }
            catch (InvalidOperationException exception) when (exception.Source == typeof(TaskClient).Assembly.GetName().Name)
            {
                // The facade's "provider not configured" error; the CLI checks first, this is the safety net.
                run.Fail(exception.Message, exception);
                return ExitCodes.Usage;
            }
#pragma warning disable CA1031 // The last resort: one line (stack with --verbose) instead of an unhandled crash.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                run.Fail($"unexpected {exception.GetType().Name}: {exception.Message} Run again with --verbose and report it.", exception);
                return ExitCodes.InternalError;
            }
        };

    private static int UsageError(ParseResult parsed, CliConsole console, Secrets secrets)
    {
        var command = parsed.CommandResult.Command;
        var path = command.Name == "asynctasks" ? "asynctasks" : $"asynctasks {command.Name}";
        var first = parsed.Errors[0].Message.TrimEnd('.');

        // A parse error may quote a token; a key given on the command line or in the environment stays hidden.
        console.Error.WriteLine(Secrets.Printable(secrets.Redact($"asynctasks: error: {first}. See '{path} --help'.")));
        return ExitCodes.Usage;
    }

    /// <summary>
    /// The keys of the command line (<c>--api-key K</c>, <c>--api-key=K</c>) and of the environment, and the user info
    /// of the base URLs there, before parsing.
    /// </summary>
    private static Secrets KnownKeys(string[] args, CliConsole console)
    {
        var secrets = new Secrets();
        for (var i = 0; i < args.Length; i++)
        {
            foreach (var (option, add) in new (string, Action<string>)[] { ("--api-key", secrets.Add), ("--base-url", secrets.AddUserInfoOf) })
            {
                if (args[i] == option && i + 1 < args.Length)
                {
                    add(args[i + 1]);
                }
                else if (args[i].StartsWith(option + "=", StringComparison.Ordinal) || args[i].StartsWith(option + ":", StringComparison.Ordinal))
                {
                    add(args[i][(option.Length + 1)..]);
                }
            }
        }

        foreach (var provider in ProviderNames.All)
        {
            secrets.Add(console.GetEnvironmentVariable(ProviderConfiguration.ApiKeyVariable(provider)));
            secrets.AddUserInfoOf(console.GetEnvironmentVariable(ProviderConfiguration.BaseUrlVariable(provider)));
        }

        return secrets;
    }
}
