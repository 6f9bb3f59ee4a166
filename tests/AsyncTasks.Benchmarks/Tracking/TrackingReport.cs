using System.Globalization;
using AsyncTasks.Benchmarks.Infrastructure;

namespace AsyncTasks.Benchmarks.Tracking;

/// <summary>
/// Runs <see cref="TrackingScenario"/> (10,000 tasks, 60 in short mode, or <c>--tasks N</c>; 1, 2, 4 servers and 4
/// with one killed, or <c>--servers</c>; the stub answers at once, or after <c>--latency-ms</c>) and writes its table.
/// </summary>
public static class TrackingReport
{
    /// <summary>The issue's goal: the tracking layer adds at most this much worker CPU per poll over a plain GetAsync.</summary>
    public const double OverheadTargetMicros = 2000;

    public static async Task<bool> RunAsync(Report report, bool shortMode, int? tasks = null, IReadOnlyList<TrackingScenario.Plan>? plans = null, TimeSpan latency = default)
    {
        tasks ??= shortMode ? 60 : 10_000;
        // Each run's patience: 10,000 tasks (30,000 polls) at the 37 polls/s a loaded 2-core machine gave take 14 minutes.
        var result = await TrackingScenario.RunAsync(tasks.Value, plans ?? [new(1, false), new(2, false), new(4, false), new(4, true)], shortMode ? 10 : 200, TimeSpan.FromMinutes(shortMode ? 2 : 30), latency, Console.WriteLine).ConfigureAwait(false);
        report.Section(
            "Tracking at scale (AsyncTasks.Hangfire on PostgreSQL)",
            $"{tasks:N0} duomi tasks tracked from a process without a Hangfire server while Hangfire server processes complete them " +
            $"(tests/AsyncTasks.Hangfire.Worker, {result.WorkersPerProcess} Hangfire workers each, first poll interval {result.IntervalMs} ms) on a throwaway " +
            "PostgreSQL 15 cluster; WireMock.Net (in the benchmark's process) answers each task pending, running, then succeeded, so each needs three polls" +
            (result.Latency > TimeSpan.Zero ? $", each answer after {result.Latency.TotalMilliseconds:0} ms (a gateway's latency: each server's workers, not the CPU, bound the throughput). " : ". ") +
            $"Each server first completes {result.WarmUpTasksPerServer} tasks of its own, uncounted (its start-up is mostly the JIT). " +
            "Time runs from the first Track to the last task's handler call (half = half of the tasks done; a killed server's fetched jobs wait out Hangfire's invisibility timeout, 30 s here). " +
            "Worker CPU = the server processes' CPU over that time ÷ polls; idle = what one server process costs per second with nothing to do (measured for 5 s after the run); " +
            "busy = worker CPU less that idle cost, ÷ polls; JIT = the servers' JIT compile time over the run ÷ polls (methods compiled per 1,000 polls); PostgreSQL likewise (its whole server, idle measured the same way); " +
            "statements = what PostgreSQL ran over the run (pg_stat_statements, BEGIN and COMMIT included) ÷ tasks: a task's Track and its three polls (PostgreSQL's CPU per poll includes the Tracks too). " +
            "GetAsync = a plain GetAsync's CPU in the same kind of process (no Hangfire), measured just before each run; over GetAsync = busy less that. " +
            "Size = the Hangfire schema's growth (tables and indexes) ÷ tasks, Hangfire's finished jobs included (they expire after a day).");
        report.Table(
            ["run", "track/s", "time (half)", "tasks/s", "polls", "polls/s", "handler calls", "lost", "duplicates", "worker CPU per poll", "idle CPU per server-second", "busy worker CPU per poll", "of which JIT (methods per 1,000 polls)", "GetAsync", "busy over GetAsync", "PostgreSQL CPU per poll (busy)", "statements per task", "size per task", "≤ 2 ms over GetAsync"],
            result.Rows.Select(r => (IReadOnlyList<string>)
            [
                r.Run,
                Report.Number(r.TrackPerSecond, "0"),
                $"{Report.Number(r.Seconds, "0.0")} s ({Report.Number(r.HalfWaySeconds, "0.0")} s)",
                Report.Number(r.Distinct / r.Seconds, "0"),
                r.Polls.ToString("N0", CultureInfo.InvariantCulture),
                Report.Number(r.Polls / r.Seconds, "0"),
                r.HandlerCalls.ToString("N0", CultureInfo.InvariantCulture),
                r.Lost.ToString(CultureInfo.InvariantCulture),
                r.Duplicates.ToString(CultureInfo.InvariantCulture),
                Report.Micros(r.WorkerCpuPerPollMicros),
                Report.Micros(r.IdleCpuPerServerSecondMicros),
                Report.Micros(r.WorkerBusyCpuPerPollMicros),
                $"{Report.Micros(r.JitPerPollMicros)} ({Report.Number(r.JitMethodsPerThousandPolls, "0")})",
                Report.Micros(r.BaselineMicros),
                Report.Micros(r.OverGetAsyncMicros),
                $"{Report.Micros(r.PostgresCpuPerPollMicros)} ({Report.Micros(r.PostgresBusyCpuPerPollMicros)})",
                Report.Number(r.StatementsPerTask, "0.0"),
                Report.Bytes(r.BytesPerTask),
                Report.Met(r.OverGetAsyncMicros <= OverheadTargetMicros),
            ]));
        return result.Rows.All(r => r.Lost == 0);
    }
}
