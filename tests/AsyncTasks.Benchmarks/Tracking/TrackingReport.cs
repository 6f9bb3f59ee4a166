using System.Globalization;
using AsyncTasks.Benchmarks.Infrastructure;

namespace AsyncTasks.Benchmarks.Tracking;

/// <summary>Runs <see cref="TrackingScenario"/> (10,000 tasks, 60 in short mode, or <c>--tasks N</c>; 1, 2 and 4 servers, or <c>--servers</c>) and writes its table.</summary>
public static class TrackingReport
{
    /// <summary>The goal: the tracking layer adds at most this much worker CPU per poll over a plain GetAsync.</summary>
    public const double OverheadTargetMicros = 2000;

    public static async Task<bool> RunAsync(Report report, bool shortMode, int? tasks = null, IReadOnlyList<int>? servers = null)
    {
        tasks ??= shortMode ? 60 : 10_000;
        // Each run's patience: 10,000 tasks (30,000 polls) at the 37 polls/s a loaded 2-core machine gave take 14 minutes.
        var result = await TrackingScenario.RunAsync(tasks.Value, servers ?? [1, 2, 4], TimeSpan.FromMinutes(shortMode ? 2 : 30), Console.WriteLine).ConfigureAwait(false);
        report.Section(
            "Tracking at scale (AsyncTasks.Hangfire on PostgreSQL)",
            $"{tasks:N0} duomi tasks tracked from a process without a Hangfire server, then completed by Hangfire server processes " +
            $"(tests/AsyncTasks.Hangfire.Worker, {result.WorkersPerProcess} Hangfire workers each, first poll interval {result.IntervalMs} ms) on a throwaway " +
            "PostgreSQL 15 cluster; WireMock.Net (in the benchmark's process) answers each task pending, running, then succeeded, so each needs three polls. " +
            "Time runs from all servers ready to the last task's handler call. Worker CPU = the server processes' CPU over that time ÷ polls; " +
            "idle = what one server process costs per second with nothing to do (measured for 5 s after the run); busy = worker CPU less that idle cost " +
            "over the run, ÷ polls (the tracking's own cost per poll); warm = busy counted only from a quarter of the tasks done to the end, once each server has compiled its poll path (a long-lived server's cost; the plain GetAsync is measured warm too); PostgreSQL likewise (its whole server, idle measured the same way); statements = what PostgreSQL ran over the run (pg_stat_statements, BEGIN and COMMIT included) ÷ polls. " +
            $"A plain GetAsync in the same kind of process (no Hangfire) costs {Report.Micros(result.BaselineMicros)} of CPU. " +
            "Size = the Hangfire schema's growth (tables and indexes) ÷ tasks, Hangfire's finished jobs included (they expire after a day).");
        report.Table(
            ["run", "track/s", "time", "tasks/s", "polls", "polls/s", "handler calls", "lost", "duplicates", "worker CPU per poll", "idle CPU per server-second", "busy worker CPU per poll", "busy, warm", "warm over GetAsync", "PostgreSQL CPU per poll (busy)", "statements per poll", "size per task", "≤ 2 ms over GetAsync (warm)"],
            result.Rows.Select(r => (IReadOnlyList<string>)
            [
                r.Run,
                Report.Number(r.TrackPerSecond, "0"),
                Report.Number(r.Seconds, "0.0") + " s",
                Report.Number(r.Distinct / r.Seconds, "0"),
                r.Polls.ToString("N0", CultureInfo.InvariantCulture),
                Report.Number(r.Polls / r.Seconds, "0"),
                r.HandlerCalls.ToString("N0", CultureInfo.InvariantCulture),
                r.Lost.ToString(CultureInfo.InvariantCulture),
                r.Duplicates.ToString(CultureInfo.InvariantCulture),
                Report.Micros(r.WorkerCpuPerPollMicros),
                Report.Micros(r.IdleCpuPerServerSecondMicros),
                Report.Micros(r.WorkerBusyCpuPerPollMicros),
                Report.Micros(r.WarmBusyCpuPerPollMicros),
                Report.Micros(r.WarmBusyCpuPerPollMicros - result.BaselineMicros),
                $"{Report.Micros(r.PostgresCpuPerPollMicros)} ({Report.Micros(r.PostgresBusyCpuPerPollMicros)})",
                Report.Number(r.StatementsPerPoll, "0.0"),
                Report.Bytes(r.BytesPerTask),
                Report.Met(r.WarmBusyCpuPerPollMicros - result.BaselineMicros <= OverheadTargetMicros),
            ]));
        return result.Rows.All(r => r.Lost == 0);
    }
}
