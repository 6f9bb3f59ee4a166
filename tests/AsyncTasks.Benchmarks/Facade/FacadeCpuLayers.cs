using System.Globalization;
using System.Runtime.InteropServices;
using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Http;
using AsyncTasks.Providers;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncTasks.Benchmarks.Facade;

/// <summary>
/// The layers of <see cref="FacadeLayersBenchmarks"/> measured in CPU time of the calling thread instead of wall-clock
/// time: every call completes synchronously on the in-memory handler, so the thread's CPU time
/// (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, Linux) is the cost of the call, without the time the VM gives to other tenants.
/// Rounds of each layer are interleaved and the minimum round is kept: what a layer costs when nothing disturbs it.
/// </summary>
public static class FacadeCpuLayers
{
    private static readonly Uri BaseUrl = new("http://127.0.0.1/");

    /// <summary>One provider's layers: minimum CPU per call in nanoseconds, in the order of <see cref="Layers"/>.</summary>
    public sealed record Row(string Provider, IReadOnlyList<double> MinNanos, IReadOnlyList<double> MedianNanos);

    /// <summary>The layers measured, each including the ones before it except where noted.</summary>
    public static IReadOnlyList<string> Layers { get; } =
        ["generated", "adapter", "+ pipeline", "facade"];

    /// <summary>Whether the thread CPU clock is available (Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>
    /// Measures the <paramref name="providers"/> named (every provider when empty): <paramref name="rounds"/> interleaved
    /// rounds of <paramref name="calls"/> calls per layer.
    /// </summary>
    public static List<Row> Run(IReadOnlyCollection<string> providers, int rounds, int calls, Action<string> log)
    {
        var rows = new List<Row>();
        foreach (var providerCase in ProviderCase.All.Where(c => providers.Count == 0 || providers.Contains(c.Name)))
        {
            rows.Add(RunOne(providerCase, rounds, calls));
            var row = rows[^1];
            log($"  {row.Provider}: " + string.Join(", ", Layers.Select((l, i) => $"{l} {row.MinNanos[i] / 1000:0.000} µs")));
        }

        return rows;
    }

    private static Row RunOne(ProviderCase providerCase, int rounds, int calls)
    {
        var task = providerCase.Task;
        var adapter = ProviderRegistry.Get(task.Provider);
        using var handler = new InMemoryHandler(providerCase.ExampleBody);
        var options = ProviderCase.Options(BaseUrl);
        using var facade = new TaskClient(options, transport: handler);
        using var raw = providerCase.CreateRawClient(handler, BaseUrl);
        var handlers = HttpPipeline.CreateHandlers(
            task.Provider, OptionsValidation.KeyBindings(options), options, TimeProvider.System, NullLogger.Instance);
        using var pipeline = new HttpClient(HttpPipeline.Link(handlers, handler), disposeHandler: false) { BaseAddress = BaseUrl };

        Func<object>[] layers =
        [
            () => Sync(providerCase.Generated(raw, providerCase.TaskId, CancellationToken.None)),
            () => Sync(adapter.GetAsync(task, raw, CancellationToken.None)),
            () => Sync(adapter.GetAsync(task, pipeline, CancellationToken.None)),
            () => Sync(facade.GetAsync(task)),
        ];

        // Warm-up: JIT, tiering (a few thousand calls each), pools.
        foreach (var layer in layers)
        {
            for (var i = 0; i < 20_000; i++)
            {
                layer();
            }
        }

        var samples = layers.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var l = 0; l < layers.Length; l++)
            {
                var layer = layers[l];
                var before = ThreadCpuNanos();
                for (var i = 0; i < calls; i++)
                {
                    layer();
                }

                samples[l].Add((ThreadCpuNanos() - before) / (double)calls);
            }
        }

        return new Row(
            providerCase.Name,
            [.. samples.Select(s => s.Min())],
            [.. samples.Select(s => s.Order().ElementAt(s.Count / 2))]);
    }

    private static object Sync<T>(Task<T> task)
    {
        // The handler answers synchronously: a call that did not complete on this thread would measure nothing.
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A call did not complete synchronously on the in-memory handler.");
        }

        return task.GetAwaiter().GetResult()!;
    }

    private static object Sync<T>(ValueTask<T> task)
    {
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("A call did not complete synchronously on the in-memory handler.");
        }

        return task.GetAwaiter().GetResult()!;
    }

    /// <summary>The calling thread's CPU time, in nanoseconds (clock_gettime with CLOCK_THREAD_CPUTIME_ID: nanosecond resolution, where getrusage counts in scheduler ticks).</summary>
    internal static long ThreadCpuNanos()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: " + Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture));
        }

        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
