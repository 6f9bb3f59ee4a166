using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using Spectre.Console;

namespace AsyncTasks.Cli;

/// <summary><c>asynctasks get</c> and <c>asynctasks wait</c>.</summary>
internal static class TaskCommands
{
    private static readonly string ProviderList = string.Join(", ", ProviderNames.All.Select(p => p.GetName()));

    /// <summary><c>get &lt;provider&gt; &lt;task-id&gt;</c>: one query. Exit 0 whatever the task's state.</summary>
    public static Command CreateGetCommand(CliConsole console)
    {
        var options = new TaskOptions();
        var command = new Command("get", "Read a task once and print its normalised state, outputs and error. Exit code 0 whenever the query succeeded, whatever the task's state.");
        options.AddTo(command);
        command.SetAction(CliApp.Guarded(console, async (run, parseResult) =>
        {
            var (task, settings) = options.Resolve(run, parseResult);
            using var client = CreateClient(run, settings, parseResult.GetValue(options.Retries), parseResult.GetValue(options.Model));
            var snapshot = await client.GetAsync(task, run.CancellationToken).ConfigureAwait(false);
            run.WriteResult(run.Json ? JsonOutput.Snapshot(snapshot) : TextOutput.Snapshot(snapshot));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// <c>wait &lt;provider&gt; &lt;task-id&gt; [--timeout] [--interval] [--download]</c>: polls with the facade's
    /// backoff until the task is final. Exit 0 succeeded, 1 failed/cancelled/timed out, 4 --timeout exceeded.
    /// </summary>
    public static Command CreateWaitCommand(CliConsole console)
    {
        var options = new TaskOptions();
        var defaultTimeout = TimeSpan.FromMinutes(30);
        var timeout = DurationOption("--timeout", "How long to wait in all before giving up with exit code 4, e.g. 10m, 1h30m.", defaultTimeout);
        var interval = new Option<TimeSpan?>("--interval")
        {
            Description = "The first delay between polls (it then grows x1.5 up to 30s), e.g. 2s, 500ms. Default: the provider's (2-5s).",
            HelpName = "duration",
            CustomParser = result => ParseDuration(result),
        };
        var download = new Option<string?>("--download")
        {
            Description = "Save every output (URL or inline bytes) of a succeeded task into this directory, created if needed.",
            HelpName = "dir",
        };
        var command = new Command("wait", "Wait until a task is final, showing its progress, and print the final state. Exit code 0 succeeded, 1 failed/cancelled/timed out, 4 --timeout exceeded.");
        options.AddTo(command);
        command.Options.Add(timeout);
        command.Options.Add(interval);
        command.Options.Add(download);
        command.SetAction(CliApp.Guarded(console, async (run, parseResult) =>
        {
            var (task, settings) = options.Resolve(run, parseResult);
            var directory = PrepareDownloadDirectory(parseResult.GetValue(download));
            var wait = new WaitOptions
            {
                Timeout = DurationValue(parseResult, timeout, defaultTimeout),
                InitialInterval = parseResult.GetValue(interval),
            };
            using var client = CreateClient(run, settings, parseResult.GetValue(options.Retries), parseResult.GetValue(options.Model));

            // --timeout bounds the whole command: the downloads get what the wait left of it.
            var started = Stopwatch.GetTimestamp();
            var snapshot = await WaitWithDisplayAsync(run, client, task, wait).ConfigureAwait(false);

            IReadOnlyList<string?>? files = null;
            if (directory is not null && snapshot.State != TaskState.Succeeded)
            {
                files = [.. snapshot.Outputs.Select(_ => (string?)null)];
            }
            else if (directory is not null)
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(run.CancellationToken);
                var left = wait.Timeout - Stopwatch.GetElapsedTime(started);
                deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                try
                {
                    files = await OutputFiles.SaveAllAsync(run, client, snapshot, directory, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !run.CancellationToken.IsCancellationRequested)
                {
                    throw new TaskWaitTimeoutException(task, wait.Timeout, snapshot);
                }
            }

            run.WriteResult(run.Json ? JsonOutput.Snapshot(snapshot, files) : TextOutput.Snapshot(snapshot, files));
            return snapshot.State == TaskState.Succeeded ? ExitCodes.Success : ExitCodes.TaskUnsuccessful;
        }));
        return command;
    }

    /// <summary>Creates the facade client for one provider: its base URL and key, the retries, the model of short ids, the log.</summary>
    public static TaskClient CreateClient(RunContext run, ProviderSettings settings, int retries, string? model = null)
    {
        var options = new AsyncTasksOptions { UserAgent = RunContext.UserAgent };
        options.Retry.MaxRetries = retries;
        var provider = options.For(settings.Provider);
        provider.BaseUrl = settings.RequireBaseUrl();
        provider.ApiKey = settings.RequireApiKey();
        provider.Model = model;
        return new TaskClient(options, run.CreateLoggerFactory());
    }

    /// <summary>
    /// A duration option, e.g. <c>--timeout 30m</c>; its default is in the description (help would show a
    /// TimeSpan as 00:30:00) and applied by <see cref="DurationValue"/>.
    /// </summary>
    public static Option<TimeSpan?> DurationOption(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = $"{description} Default: {Duration.Format(defaultValue)}.",
        HelpName = "duration",
        CustomParser = result => ParseDuration(result),
    };

    /// <summary>The value of a <see cref="DurationOption"/>, or its default.</summary>
    public static TimeSpan DurationValue(ParseResult parseResult, Option<TimeSpan?> option, TimeSpan defaultValue) =>
        parseResult.GetValue(option) ?? defaultValue;

    /// <summary>Parses a positive duration token, or adds a parse error (exit code 2).</summary>
    public static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        var name = (result.Parent as OptionResult)?.Option.Name ?? "the duration";
        if (!Duration.TryParse(text, out var value, out var error))
        {
            result.AddError($"{name}: {error}");
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            result.AddError($"{name} must be longer than zero, e.g. 2s");
            return null;
        }

        return value;
    }

    private static string? PrepareDownloadDirectory(string? directory)
    {
        if (directory is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new UsageException("--download is empty: pass a directory, e.g. --download ./outputs.");
        }

        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new UsageException($"--download {directory} is a file; pass a directory (it is created if needed).");
        }

        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"cannot create the --download directory {directory}: {exception.Message}");
        }

        return full;
    }

    private static async Task<TaskSnapshot> WaitWithDisplayAsync(RunContext run, TaskClient client, TaskRef task, WaitOptions wait)
    {
        var elapsed = Stopwatch.StartNew();
        if (!run.CanShowLiveStatus)
        {
            var lines = new SnapshotProgress(snapshot =>
            {
                if (run.ShowsProgressLines)
                {
                    run.Note(TextOutput.StatusLine(snapshot, elapsed.Elapsed));
                }
            });
            return await client.WaitAsync(task, wait, lines, run.CancellationToken).ConfigureAwait(false);
        }

        // A terminal: one live line on standard error (spinner, state, progress bar, elapsed time).
        var console = CliConsole.CreateAnsiConsole(run.Console.Error, isTerminal: true);
        return await console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(run.Printable($"{task}: reading…")), async context =>
            {
                TaskSnapshot? last = null;
                void Refresh()
                {
                    var text = last is null
                        ? $"{task}: reading… {Duration.Format(TimeSpan.FromSeconds(Math.Floor(elapsed.Elapsed.TotalSeconds)))}"
                        : LiveText(last, elapsed.Elapsed);
                    context.Status(Markup.Escape(run.Printable(text)));
                }

                using var ticker = new Timer(_ => Refresh(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
                var progress = new SnapshotProgress(snapshot =>
                {
                    last = snapshot;
                    Refresh();
                });
                return await client.WaitAsync(task, wait, progress, run.CancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private static string LiveText(TaskSnapshot snapshot, TimeSpan elapsed)
    {
        var text = $"{snapshot.Task}: {snapshot.State.GetName()} ({snapshot.ProviderState ?? "-"})";
        if (snapshot.Progress is { } progress)
        {
            text += $" {TextOutput.Bar(progress)} {progress}%";
        }

        return text + $" · {Duration.Format(TimeSpan.FromSeconds(Math.Floor(elapsed.TotalSeconds)))}";
    }

    /// <summary>The arguments and options get and wait share.</summary>
    private sealed class TaskOptions
    {
        public Argument<Provider> Provider { get; } = new("provider")
        {
            HelpName = "provider",
            Description = $"The gateway: {ProviderList}.",
            CustomParser = result =>
            {
                var name = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (ProviderNames.TryParse(name, out var provider))
                {
                    return provider;
                }

                result.AddError($"unknown provider '{name}'; use one of {ProviderList}");
                return default;
            },
        };

        public Argument<string> TaskId { get; } = new("task-id")
        {
            Description = "The provider's task id, as its submit call returned it (for skyengine the full operation name projects/…/operations/…).",
        };

        public Option<string?> BaseUrl { get; } = new("--base-url")
        {
            Description = "The gateway's base URL; wins over ASYNCTASKS_<P>_BASE_URL. Required for tencent-vod.",
            HelpName = "url",
        };

        public Option<string?> ApiKey { get; } = new("--api-key")
        {
            Description = "The API key; wins over ASYNCTASKS_<P>_API_KEY (prefer the variable: options show in the process list).",
            HelpName = "key",
        };

        public Option<string?> Model { get; } = new("--model")
        {
            Description = "For a skyengine short operation name projects/…/locations/…/operations/…: the model it was submitted to (publisher google).",
            HelpName = "model",
        };

        public Option<int> Retries { get; } = new("--retries")
        {
            Description = "Retries of a request that failed transiently (HTTP 408/424/429/5xx, connection failures), 0-100.",
            HelpName = "count",
            DefaultValueFactory = _ => 3,
        };

        public TaskOptions()
        {
            Provider.CompletionSources.Clear();
            Provider.CompletionSources.Add(ProviderNames.All.Select(p => p.GetName()).ToArray());
            Retries.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 0 or > 100)
                {
                    result.AddError("--retries must be between 0 and 100");
                }
            });
        }

        public void AddTo(Command command)
        {
            command.Arguments.Add(Provider);
            command.Arguments.Add(TaskId);
            command.Options.Add(BaseUrl);
            command.Options.Add(ApiKey);
            command.Options.Add(Retries);
            command.Options.Add(Model);
        }

        /// <summary>The task and its provider's settings, checked (exit code 2 when unusable).</summary>
        public (TaskRef Task, ProviderSettings Settings) Resolve(RunContext run, ParseResult parseResult)
        {
            var provider = parseResult.GetValue(Provider);
            var settings = ProviderConfiguration.Resolve(
                provider,
                parseResult.GetValue(BaseUrl),
                parseResult.GetValue(ApiKey),
                run.Console.GetEnvironmentVariable);
            run.AddSecrets(settings);
            run.Settings = settings;
            settings.RequireBaseUrl();
            settings.RequireApiKey();
            var id = parseResult.GetValue(TaskId);
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new UsageException("the task id is empty: pass the id the provider's submit call returned.");
            }

            return (new TaskRef(provider, id), settings);
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously, in order (no synchronization context hop).</summary>
internal sealed class SnapshotProgress(Action<TaskSnapshot> report) : IProgress<TaskSnapshot>
{
    /// <inheritdoc />
    public void Report(TaskSnapshot value) => report(value);
}
