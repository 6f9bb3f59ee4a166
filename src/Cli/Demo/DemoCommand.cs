using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AsyncTasks.Cli.Demo;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AsyncTasks.Cli;

/// <summary>
/// <c>asynctasks demo</c>: no key, no network. Starts WireMock.Net in this process on 127.0.0.1 with the specs' documented examples
/// (one task per provider going queued → running → succeeded), runs get and wait for each through the real
/// facade over HTTP, shows the normalised results side by side and stops WireMock, also on Ctrl+C.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The key the demo gives the facade: the demo's server ignores it; it is not a secret.</summary>
    internal const string DemoKey = "demo-key-not-a-secret";

    /// <summary>Creates the command.</summary>
    public static Command Create(CliConsole console)
    {
        var defaultInterval = TimeSpan.FromMilliseconds(200);
        var defaultTimeout = TimeSpan.FromMinutes(1);
        var interval = TaskCommands.DurationOption("--interval", "The first delay between polls of each demo wait.", defaultInterval);
        var timeout = TaskCommands.DurationOption("--timeout", "How long each demo wait may take.", defaultTimeout);
        var command = new Command(
            "demo",
            "Offline demo: serve the specs' documented examples from WireMock.Net on 127.0.0.1, get and wait for one task of each provider through the real client over HTTP, and show the results side by side. No key, no network.");
        command.Options.Add(interval);
        command.Options.Add(timeout);
        command.SetAction(CliApp.Guarded(console, (run, parseResult) =>
            RunAsync(
                run,
                TaskCommands.DurationValue(parseResult, interval, defaultInterval),
                TaskCommands.DurationValue(parseResult, timeout, defaultTimeout))));
        return command;
    }

    private static async Task<int> RunAsync(RunContext run, TimeSpan interval, TimeSpan timeout)
    {
        // The command line handles Ctrl+C only once the action has yielded; reading the specs and starting the
        // server run synchronously, so yield first.
        await Task.Yield();
        var elapsed = Stopwatch.StartNew();
        var environment = run.Console.GetEnvironmentVariable;
        var scenarios = await DemoScenario.ForEveryProviderAsync(run.CancellationToken).ConfigureAwait(false);
        var plans = scenarios.Select(scenario => (Scenario: scenario, Plan: scenario.Build())).ToList();

        IReadOnlyList<DemoResult> results;
        int? requests;
        if (run.CanShowLiveStatus)
        {
            var ansi = CliConsole.CreateAnsiConsole(run.Console.Error, isTerminal: true);
            (results, requests) = await ansi.Status()
                .Spinner(Spinner.Known.Dots)
                .StartAsync("starting WireMock…", context => RunScenariosAsync(
                    run, plans, interval, timeout, text => context.Status(Markup.Escape(text))))
                .ConfigureAwait(false);
        }
        else
        {
            (results, requests) = await RunScenariosAsync(run, plans, interval, timeout, text =>
            {
                if (run.ShowsProgressLines)
                {
                    run.Note("demo: " + text);
                }
            }).ConfigureAwait(false);
        }

        elapsed.Stop();
        if (run.Json)
        {
            run.WriteResult(JsonOutput.Build(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("results");
                foreach (var result in results)
                {
                    writer.WriteStartObject();
                    writer.WriteString("provider", result.Task.Provider.GetName());
                    writer.WriteString("taskId", result.Task.Id);
                    writer.WritePropertyName("get");
                    WriteSnapshotOrNull(writer, result.Get);
                    writer.WritePropertyName("wait");
                    WriteSnapshotOrNull(writer, result.Wait);
                    writer.WriteStartArray("statesSeen");
                    foreach (var seen in result.Seen)
                    {
                        writer.WriteStringValue(seen.State.GetName());
                    }

                    writer.WriteEndArray();
                    writer.WritePropertyName("error");
                    if (result.Error is { } error)
                    {
                        JsonOutput.WriteError(writer, error, error.Message);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (requests is { } count)
                {
                    writer.WriteNumber("requestsServed", count);
                }
                else
                {
                    writer.WriteNull("requestsServed");
                }

                writer.WriteNumber("elapsedMs", (long)elapsed.Elapsed.TotalMilliseconds);
                writer.WriteEndObject();
            }));
        }
        else
        {
            var ansi = CliConsole.CreateAnsiConsole(run.Console.Out, run.Console.OutIsTerminal, widthWhenRedirected: 200);
            ansi.Write(Render(results, ansi.Profile.Width, run.Console.OutIsTerminal));
            ansi.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{results.Count} providers, {requests?.ToString(CultureInfo.InvariantCulture) ?? "?"} HTTP requests to WireMock (the specs' documented examples), {elapsed.Elapsed.TotalSeconds:0.0} s. WireMock stopped."));
            ansi.WriteLine("Next: asynctasks get <provider> <task-id> against a real gateway (README: \"Using the CLI against a real gateway\").");
            run.Console.Out.Flush();
        }

        if (results.Any(r => r.Error is not null))
        {
            return ExitCodes.ApiError;
        }

        return results.All(r => r.Wait?.State == TaskState.Succeeded) ? ExitCodes.Success : ExitCodes.TaskUnsuccessful;
    }

    private static async Task<(IReadOnlyList<DemoResult> Results, int? Requests)> RunScenariosAsync(
        RunContext run,
        IReadOnlyList<(DemoScenario Scenario, (string TaskId, SpecGetOperation Operation, IReadOnlyList<System.Text.Json.Nodes.JsonNode> Bodies) Plan)> plans,
        TimeSpan interval,
        TimeSpan timeout,
        Action<string> step)
    {
        step($"starting WireMock.Net with {plans.Sum(p => p.Plan.Bodies.Count)} stubs from the specs' examples");
        using (var server = new ExampleServer())
        {
            foreach (var (scenario, plan) in plans)
            {
                server.ServeInTurn(plan.Operation, plan.Bodies, scenario.ScenarioName);
            }

            step($"WireMock.Net listening on {server.BaseUri} (in this process)");
            var options = new AsyncTasksOptions
            {
                UserAgent = RunContext.UserAgent,
                RequestTimeout = TimeSpan.FromSeconds(10),
                Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
            };
            foreach (var provider in ProviderNames.All)
            {
                options.For(provider).BaseUrl = server.BaseUri;
                options.For(provider).ApiKey = DemoKey;
            }

            var wait = new WaitOptions
            {
                Timeout = timeout,
                InitialInterval = interval,
                MaxInterval = interval * 4,
                Multiplier = 1.5,
                Jitter = 0,
            };

            // The loopback server needs no proxy, and the facade wants a transport that does not follow redirects.
            using var transport = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
            using var loggers = run.CreateLoggerFactory();
            using var client = new TaskClient(options, loggers, transport: transport);
            var results = await Task.WhenAll(plans.Select(plan =>
                RunOneAsync(client, new TaskRef(plan.Scenario.Provider, plan.Plan.TaskId), wait, step, run.CancellationToken))).ConfigureAwait(false);
            var requests = server.RequestsServed;
            step("stopping WireMock.Net");
            return (results, requests);
        }
    }

    private static async Task<DemoResult> RunOneAsync(
        TaskClient client,
        TaskRef task,
        WaitOptions wait,
        Action<string> step,
        CancellationToken cancellationToken)
    {
        var seen = new List<TaskSnapshot>();
        TaskSnapshot? get = null;
        try
        {
            get = await client.GetAsync(task, cancellationToken).ConfigureAwait(false);
            step($"{task.Provider.GetName()}: get -> {get.State.GetName()} ({get.ProviderState})");
            var progress = new SnapshotProgress(snapshot =>
            {
                lock (seen)
                {
                    seen.Add(snapshot);
                }

                step($"{task.Provider.GetName()}: wait -> {Describe(snapshot)}");
            });
            var final = await client.WaitAsync(task, wait, progress, cancellationToken).ConfigureAwait(false);
            lock (seen)
            {
                if (seen.Count == 0 || !ReferenceEquals(seen[^1], final))
                {
                    seen.Add(final);
                }
            }

            return new DemoResult(task, get, final, seen, null);
        }
        catch (TaskClientException exception)
        {
            step($"{task.Provider.GetName()}: {exception.Message}");
            return new DemoResult(task, get, null, seen, exception);
        }
    }

    /// <summary>A table with one column per provider when there is room; else one card per provider, side by side as the width allows.</summary>
    private static IRenderable Render(IReadOnlyList<DemoResult> results, int width, bool colours)
    {
        const string title = "asynctasks demo: one task per provider, read through the real client from WireMock";
        var rows = Rows(colours);
        if (width >= 120)
        {
            var table = new Table().Border(TableBorder.Rounded).Title(title);
            table.AddColumn(new TableColumn(string.Empty).NoWrap());
            foreach (var result in results)
            {
                table.AddColumn(new TableColumn(Markup.Escape(result.Task.Provider.GetName())));
            }

            foreach (var (name, cell) in rows)
            {
                table.AddRow([Markup.Escape(name), .. results.Select(cell)]);
            }

            return table;
        }

        var cards = results.Select(result => new Panel(new Markup(string.Join(
                "\n",
                rows.Select(row => $"[bold]{Markup.Escape(row.Name)}[/]: {row.Cell(result)}"))))
            .Header(Markup.Escape(result.Task.Provider.GetName()))
            .Border(BoxBorder.Rounded));
        return new Rows(new Markup($"[bold]{Markup.Escape(title)}[/]"), new Columns(cards));
    }

    /// <summary>The rows of the comparison: name and the (markup) cell of each provider, kept short; --json has everything.</summary>
    private static List<(string Name, Func<DemoResult, string> Cell)> Rows(bool colours) =>
    [
        ("task id", r => Markup.Escape(Shorten(r.Task.Id, 28))),
        ("get", r => Markup.Escape(r.Get is null ? "-" : $"{Describe(r.Get)} ({r.Get.ProviderState})")),
        ("wait saw", r => Markup.Escape(string.Join(" -> ", r.Seen.Select(Describe)))),
        ("status", r => Status(r, colours)),
        ("provider status", r => Markup.Escape(r.Wait?.ProviderState ?? "-")),
        ("progress", r => r.Wait?.Progress is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p}%") : "-"),
        ("outputs", r => Markup.Escape(r.Wait is { Outputs.Count: > 0 } w ? string.Join("\n", w.Outputs.Select(ShortOutput)) : "-")),
        ("error", r => Markup.Escape(r.Error?.Message ?? r.Wait?.Error?.ToString() ?? "-")),
        ("created", r => Markup.Escape(ShortTime(r.Wait?.CreatedAt))),
        ("finished", r => Markup.Escape(ShortTime(r.Wait?.FinishedAt))),
        ("request id", r => Markup.Escape(r.Wait?.RequestId is { } id ? Shorten(id, 14) : "-")),
    ];

    /// <summary><c>video mp4: 7f3c2a9e.mp4 @ cdn.mountsea.ai</c>, <c>video: 24 bytes inline</c>.</summary>
    private static string ShortOutput(TaskOutput output)
    {
        var kind = JsonOutput.KindName(output.Kind);
        if (output.Url is not { } url)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{kind}: {output.InlineData?.Length ?? 0} bytes inline");
        }

        var name = output.FileName ?? Uri.UnescapeDataString(url.Segments.Length > 0 ? url.Segments[^1] : url.Host);
        var host = url.Scheme is "http" or "https" ? url.Host : $"{url.Scheme}://{url.Host}";
        return $"{kind}: {Shorten(name, 32)} @ {host}";
    }

    private static string ShortTime(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Shorten(string text, int max) =>
        text.Length <= max ? text : text[..((max - 1) / 2)] + "…" + text[^(max - 1 - ((max - 1) / 2))..];

    private static string Status(DemoResult result, bool colours)
    {
        var name = result.Error is { } error ? JsonOutput.ErrorKindName(error.Kind) + " error" : result.Wait?.State.GetName() ?? "-";
        if (!colours)
        {
            return Markup.Escape(name);
        }

        var colour = result.Wait?.State == TaskState.Succeeded ? "green" : "red";
        return $"[{colour}]{Markup.Escape(name)}[/]";
    }

    private static string Describe(TaskSnapshot snapshot) =>
        snapshot.Progress is { } progress
            ? string.Create(CultureInfo.InvariantCulture, $"{snapshot.State.GetName()} {progress}%")
            : snapshot.State.GetName();

    private static void WriteSnapshotOrNull(System.Text.Json.Utf8JsonWriter writer, TaskSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonOutput.WriteSnapshot(writer, snapshot);
        }
    }

    private sealed record DemoResult(TaskRef Task, TaskSnapshot? Get, TaskSnapshot? Wait, IReadOnlyList<TaskSnapshot> Seen, TaskClientException? Error);
}
