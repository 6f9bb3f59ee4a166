using System.Diagnostics;
using AsyncTasks.Benchmarks.Infrastructure;

namespace AsyncTasks.Benchmarks.Scenarios;

/// <summary>
/// Benchmark 3, many waits: <c>count</c> concurrent <see cref="TaskClient.WaitAsync"/> (distinct duomi tasks)
/// on an in-memory transport; each task answers the spec's <c>running</c> example four times and its
/// <c>succeeded</c> example on the fifth poll. The poll delays run on a <see cref="ManualTimeProvider"/>, so
/// the wall time is the library's own work, not sleeping.
/// </summary>
/// <remarks>
/// Memory per waiting task = (managed heap after a full blocking GC at the moment every wait is asleep between
/// polls − the same before the waits started) ÷ count: what the library keeps alive per pending wait. The peak
/// heap (sampled every millisecond without forcing a GC, so it includes garbage not yet collected) is reported
/// beside it.
/// </remarks>
public static class ManyWaitsScenario
{
    public const int PollsToFinish = 5;

    /// <summary>Target: managed memory per waiting task.</summary>
    public const double BytesPerWaitTarget = 5 * 1024;

    public sealed record Result(
        int Tasks,
        TimeSpan Wall,
        double RetainedPerWait,
        double PeakPerWait,
        double AllocatedPerWait,
        int Gen0,
        int Gen1,
        int Gen2,
        string? Failure);

    public static async Task<Result> RunAsync(int count)
    {
        const int warmup = 200;
        var running = SpecExamples.ResponseBody("duomi.yaml", "running");
        var succeeded = SpecExamples.ResponseBody("duomi.yaml", "succeeded");
        var polls = new int[count + warmup];
        using var handler = new InMemoryHandler(request =>
        {
            var path = request.RequestUri!.AbsolutePath;
            var index = int.Parse(path.AsSpan(path.LastIndexOf('-') + 1), System.Globalization.CultureInfo.InvariantCulture);
            return Interlocked.Increment(ref polls[index]) >= PollsToFinish ? succeeded : running;
        });
        var clock = new ManualTimeProvider();
        using var client = new TaskClient(ProviderCase.Options(new Uri("http://127.0.0.1/")), timeProvider: clock, transport: handler);

        var tasks = new TaskRef[count + warmup];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = new TaskRef(Provider.Duomi, $"wait-{i}");
        }

        var results = new Task<TaskSnapshot>[count + warmup];

        // Warm up (JIT, pools, the client's HttpClient) with a small batch, to completion.
        for (var i = count; i < count + warmup; i++)
        {
            results[i] = client.WaitAsync(tasks[i]);
        }

        await DriveAsync(clock, results, count, count + warmup).ConfigureAwait(false);

        FullCollect();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        using var sampler = new HeapSampler();

        var wall = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            results[i] = client.WaitAsync(tasks[i]);
        }

        // Every wait has polled once and sleeps on the fake clock: measure what stays alive.
        await WaitUntilAsync(() => clock.PendingTimers == count, "every wait to poll once and sleep").ConfigureAwait(false);
        wall.Stop();
        var retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        wall.Start();

        await DriveAsync(clock, results, 0, count).ConfigureAwait(false);
        wall.Stop();
        var peak = sampler.Stop() - baseline;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var collections = (GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);

        string? failure = null;
        for (var i = 0; i < count && failure is null; i++)
        {
            var snapshot = results[i].IsCompletedSuccessfully ? results[i].Result : null;
            if (snapshot is null)
            {
                failure = $"wait {i} ended {results[i].Status}: {results[i].Exception?.GetBaseException().Message}";
            }
            else if (snapshot.State != TaskState.Succeeded || snapshot.Outputs.Count != 1 || snapshot.Task != tasks[i])
            {
                failure = $"wait {i} ended {snapshot.State} with {snapshot.Outputs.Count} outputs";
            }
            else if (polls[i] != PollsToFinish)
            {
                failure = $"task {i} was polled {polls[i]} times, not {PollsToFinish}";
            }
        }

        return new Result(
            count,
            wall.Elapsed,
            (double)retained / count,
            (double)peak / count,
            (double)allocated / count,
            collections.Item1,
            collections.Item2,
            collections.Item3,
            failure);
    }

    /// <summary>Advances the fake clock until the waits [from, to) have all finished; after each step, waits until each has slept again or finished.</summary>
    private static async Task DriveAsync(ManualTimeProvider clock, Task<TaskSnapshot>[] results, int from, int to)
    {
        int Completed()
        {
            var done = 0;
            for (var i = from; i < to; i++)
            {
                done += results[i].IsCompleted ? 1 : 0;
            }

            return done;
        }

        var total = to - from;
        for (var step = 0; step < 10 * PollsToFinish && Completed() < total; step++)
        {
            // Longest delay before the 5th poll: 2 s × 1.5³ × 1.2 (jitter) = 8.1 s; 10 s fires every due timer.
            clock.Advance(TimeSpan.FromSeconds(10));
            await WaitUntilAsync(() => clock.PendingTimers + Completed() >= total, "the waits to poll again").ConfigureAwait(false);
        }

        if (Completed() < total)
        {
            throw new InvalidOperationException($"{total - Completed()} waits did not finish after {10 * PollsToFinish} clock steps.");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var limit = Stopwatch.StartNew();
        while (!condition())
        {
            if (limit.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    internal static void FullCollect()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }
}

/// <summary>Samples the managed heap size (without forcing collections) every millisecond on its own thread, keeping the maximum.</summary>
public sealed class HeapSampler : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _max;

    public HeapSampler()
    {
        _max = GC.GetTotalMemory(false);
        _thread = new Thread(Loop) { IsBackground = true, Name = "heap sampler", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public long Max => Interlocked.Read(ref _max);

    public long Stop()
    {
        _stop = true;
        _thread.Join();
        Sample();
        return Max;
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }
    }

    private void Loop()
    {
        while (!_stop)
        {
            Sample();
            Thread.Sleep(1);
        }
    }

    private void Sample()
    {
        var now = GC.GetTotalMemory(false);
        if (now > Interlocked.Read(ref _max))
        {
            Interlocked.Exchange(ref _max, now);
        }
    }
}
