using System.Globalization;
using AsyncTasks;
using AsyncTasks.Hangfire;
using AsyncTasks.Hangfire.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A Hangfire server with the tracker, as a separate process:
//   AsyncTasks.Hangfire.Worker --postgres CS --schema S --stub URL --key K --interval-ms N --workers N --out FILE
// Each handler call appends "trackingId outcome pid" to FILE. Runs until killed or its standard input closes.
// With --baseline N --stub URL --key K --task REF: N plain GetAsync calls instead, printing "cpu-us-per-call X".
var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    values[args[i].TrimStart('-')] = args[i + 1];
}

if (values.TryGetValue("baseline", out var calls))
{
    return await Baseline.RunAsync(new Uri(values["stub"]), values["key"], TaskRef.Parse(values["task"]), int.Parse(calls, CultureInfo.InvariantCulture)).ConfigureAwait(false);
}

var settings = new TrackingHostSettings
{
    Postgres = values["postgres"],
    Schema = values.GetValueOrDefault("schema", "hangfire"),
    StubUrl = new Uri(values["stub"]),
    ApiKey = values["key"],
    PollInterval = TimeSpan.FromMilliseconds(int.Parse(values.GetValueOrDefault("interval-ms", "20"), CultureInfo.InvariantCulture)),
    Workers = int.Parse(values.GetValueOrDefault("workers", "4"), CultureInfo.InvariantCulture),
};

using var output = new StreamWriter(values["out"], append: true) { AutoFlush = true };
using var host = TrackingHost.Build(settings, services => services.AddSingleton<ITaskCompletionHandler>(new FileHandler(output)));
await host.StartAsync().ConfigureAwait(false);
Console.WriteLine("ready");

// The parent closes standard input, or sends SIGTERM (the host's lifetime), or kills the process. A line "jit" on
// standard input is answered with the JIT's compile time so far (microseconds), its compiled method count, then the
// GC's heap, gen-2 collections and pauses, and the thread pool's threads.
var commands = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
    {
        if (line == "jit")
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"jit {System.Runtime.JitInfo.GetCompilationTime().TotalMicroseconds:0} {System.Runtime.JitInfo.GetCompiledMethodCount()} heap {GC.GetTotalMemory(false)} gen2 {GC.CollectionCount(2)} pause-ms {GC.GetTotalPauseDuration().TotalMilliseconds:0} threads {ThreadPool.ThreadCount}"));
        }
    }
});
await Task.WhenAny(commands, host.WaitForShutdownAsync()).ConfigureAwait(false);
await host.StopAsync().ConfigureAwait(false);
return 0;

/// <summary>Records each call on its own line, flushed at once, so a process killed later has its calls on disk.</summary>
internal sealed class FileHandler(StreamWriter output) : ITaskCompletionHandler
{
    public Task HandleAsync(TaskCompletion completion, CancellationToken cancellationToken)
    {
        lock (output)
        {
            output.WriteLine($"{completion.TrackingId} {completion.Outcome} {Environment.ProcessId}");
        }

        return Task.CompletedTask;
    }
}

/// <summary>The benchmark's yardstick: the CPU of a plain GetAsync in a process of the same kind, without Hangfire.</summary>
internal static class Baseline
{
    public static async Task<int> RunAsync(Uri stub, string key, TaskRef task, int calls)
    {
        var options = new AsyncTasksOptions();
        foreach (var provider in ProviderNames.All)
        {
            options.For(provider).BaseUrl = stub;
            options.For(provider).ApiKey = key;
        }

        options.Retry.MaxRetries = 0;
        using var client = new TaskClient(options);

        // Warm-up long enough for tiered JIT to finish: after only 500 reads the next 2,000 still cost about four
        // times the steady figure (the JIT's background compiles count as this process's CPU).
        await ReadAsync(client, task, Math.Max(calls / 4, 5000)).ConfigureAwait(false);

        // Five windows, the median one kept: a shared machine's bursts land in one window, not in the figure.
        var windows = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var before = Environment.CpuUsage.TotalTime;
            await ReadAsync(client, task, calls / 5).ConfigureAwait(false);
            windows.Add((Environment.CpuUsage.TotalTime - before).TotalMicroseconds / (calls / 5));
        }

        windows.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu-us-per-call {windows[2]:0.0} (windows {string.Join(", ", windows.Select(w => w.ToString("0", CultureInfo.InvariantCulture)))})"));
        return 0;
    }

    /// <summary>Eight readers at a time, as a Hangfire server's workers would be.</summary>
    private static Task ReadAsync(TaskClient client, TaskRef task, int calls)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < calls)
            {
                await client.GetAsync(task).ConfigureAwait(false);
            }
        }));
    }
}
