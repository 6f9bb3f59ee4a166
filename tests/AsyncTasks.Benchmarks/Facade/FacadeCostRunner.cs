using AsyncTasks.Benchmarks.Infrastructure;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace AsyncTasks.Benchmarks.Facade;

/// <summary>Runs <see cref="FacadeCostBenchmarks"/> with BenchmarkDotNet and reports it against the targets.</summary>
public static class FacadeCostRunner
{
    /// <summary>Facade time at most this many times the raw generated client's.</summary>
    public const double TimeRatioTarget = 1.10;

    /// <summary>Facade allocation at most this many bytes more than the raw generated client's, per call.</summary>
    public const double ExtraAllocationTarget = 2048;

    /// <summary>
    /// Rounds of the full mode. Each round runs every benchmark case once, briefly (1 warm-up + 4 measured iterations
    /// of <see cref="RoundInvocations"/> calls); the rounds alternate the order of the three readers, and a case's
    /// figures pool its iterations of all rounds.
    /// </summary>
    public const int FullRounds = 40;

    /// <summary>Calls per iteration in a round: 25–100 ms for these readers (2–8 µs a call).</summary>
    public const int RoundInvocations = 12_500;

    /// <returns>Whether every benchmark ran (targets are reported, not enforced).</returns>
    public static bool Run(Report report, bool shortMode, string artifacts, string[] benchmarkArgs)
    {
        // The machines this runs on slow down for seconds at a time (other tenants of the host): one case measured
        // in one stretch can fall into such a spell while the case it is compared with does not. Rounds spread
        // every case over the whole run, and the alternating order puts the facade before the generated client in
        // half of them.
        var rounds = shortMode ? 1 : FullRounds;
        var summaries = new List<Summary>();

        // Round 0 is run and not counted (full mode): the first case of the first round would otherwise be measured
        // partly on code not yet optimised by the JIT's tiering (measured: the generated duomi read at 23 µs instead of
        // 5 µs in the first round), which favoured whichever reader comes second.
        for (var round = shortMode ? 1 : 0; round <= rounds; round++)
        {
            Console.WriteLine(round == 0 ? "== benchmark 1, warm-up round (not counted)" : $"== benchmark 1, round {round} of {rounds}");
            var summary = RunBenchmarks<FacadeCostBenchmarks>(shortMode, artifacts, benchmarkArgs, reverse: round % 2 == 0, rounds: true);
            if (summary is null || summary.Reports.Length == 0)
            {
                report.Section("1. Cost of the facade", $"BenchmarkDotNet produced no results (round {round}).");
                return false;
            }

            if (round > 0)
            {
                summaries.Add(summary);
            }
        }

        Add(report, summaries, shortMode);
        return summaries.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success));
    }

    /// <summary>
    /// <see cref="FacadeLayersBenchmarks"/>: the facade's time split into its layers (reported, no target).
    /// </summary>
    public static bool RunLayers(Report report, bool shortMode, string artifacts, string[] benchmarkArgs)
    {
        var summary = RunBenchmarks<FacadeLayersBenchmarks>(shortMode, artifacts, benchmarkArgs);
        if (summary is null || summary.Reports.Length == 0)
        {
            report.Section("1b. Layers of the facade", "BenchmarkDotNet produced no results.");
            return false;
        }

        report.Section(
            "1b. Layers of the facade (BenchmarkDotNet)",
            "The read of benchmark 1 peeled layer by layer: `generated` = raw NSwag client; `adapter` = the provider " +
            "adapter (facade reader + mapping) on the same raw HttpClient; `+ pipeline` = the adapter behind the " +
            "facade's handler chain (user agent, retry, redirect, key); `facade` = TaskClient.GetAsync. Means.");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var provider in FacadeLayersBenchmarks.Providers)
        {
            var cells = new List<string> { provider };
            foreach (var method in new[] { "Generated", "Adapter", "AdapterPipeline", "Facade" })
            {
                var found = Find(summary, provider, method);
                cells.Add(found is { } f ? $"{Report.Micros(f.MeanNs / 1000)} / {Report.Bytes(f.Bytes)}" : "no result");
            }

            rows.Add(cells);
        }

        report.Table(["provider", "generated", "adapter", "+ pipeline", "facade"], rows);
        return !summary.HasCriticalValidationErrors && summary.Reports.All(r => r.Success);
    }

    private static Summary? RunBenchmarks<T>(bool shortMode, string artifacts, string[] benchmarkArgs, bool reverse = false, bool rounds = false)
    {
        // In-process: no second build of the project, and the numbers come from the very binaries this command
        // built. Rounds (benchmark 1): short runs of fixed size, repeated (see FullRounds). Layers: a fixed 6 warm-up +
        // 25 measured iterations of 250 ms per benchmark, instead of BenchmarkDotNet's open-ended default on a noisy
        // 2-core machine. Short mode: a handful of 50 ms iterations, enough to prove every benchmark still runs.
        var job = shortMode
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(50)).WithId("Short")
            : rounds
                ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(4)
                    .WithInvocationCount(RoundInvocations).WithUnrollFactor(1).WithEvaluateOverhead(false).WithId("Round")
                : Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(25)
                    .WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("Full");
        var config = DefaultConfig.Instance
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(Path.Combine(artifacts, "bdn"))
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Default, reverse ? MethodOrderPolicy.Alphabetical : MethodOrderPolicy.Declared))
            .WithOptions(ConfigOptions.JoinSummary);

        var summaries = BenchmarkSwitcher.FromTypes([typeof(T)]).Run(
            benchmarkArgs.Length > 0 ? benchmarkArgs : ["--filter", "*"], config);
        return summaries.FirstOrDefault();
    }

    private static void Add(Report report, List<Summary> summaries, bool shortMode)
    {
        report.Section(
            "1. Cost of the facade (BenchmarkDotNet)",
            "GetAsync on an in-memory HttpMessageHandler answering the provider's documented example (read from " +
            "specs/*.yaml). `facade` = `new TaskClient(options, transport: handler).GetAsync`; `generated` = the " +
            "NSwag client's Get…Async on an HttpClient over the same handler (the reference); `hand-written` = " +
            "HttpClient + source-generated System.Text.Json into a minimal record. " +
            (shortMode
                ? "Short mode: one round of 3 × 50 ms iterations, indicative only. "
                : $"{summaries.Count} rounds after one warm-up round that is not counted, each running every case for 1 warm-up + 4 measured iterations of {RoundInvocations:N0} calls " +
                  "(no pilot stage, no overhead subtraction: an empty call is 1 ns against 2–8 µs), the " +
                  "order of the readers alternating from round to round (declared, then alphabetical: the facade runs after " +
                  "the generated client in one round and before it in the next); a case's mean and median pool its measured " +
                  "iterations of all rounds (BenchmarkDotNet's upper outliers removed in each round). ") +
            "Mean time (median beside the ratio, and the ratio of each round's means: the machine is noisy) and allocated bytes per " +
            "call ([MemoryDiagnoser]). Targets: facade ≤ 1.10× generated time, ≤ +2 KiB allocated per call.");

        var rows = new List<IReadOnlyList<string>>();
        foreach (var provider in FacadeCostBenchmarks.Providers)
        {
            var generated = Pool(summaries, provider, nameof(FacadeCostBenchmarks.Generated));
            var facade = Pool(summaries, provider, nameof(FacadeCostBenchmarks.Facade));
            var hand = Pool(summaries, provider, nameof(FacadeCostBenchmarks.HandWritten));
            if (generated is null || facade is null || hand is null)
            {
                rows.Add([provider, "no result", "", "", "", "", "", "", "", "", "", ""]);
                continue;
            }

            var ratio = facade.Value.MeanNs / generated.Value.MeanNs;
            var medianRatio = facade.Value.MedianNs / generated.Value.MedianNs;
            var roundRatios = summaries
                .Select(s => (Facade: Find(s, provider, nameof(FacadeCostBenchmarks.Facade)), Generated: Find(s, provider, nameof(FacadeCostBenchmarks.Generated))))
                .Where(p => p.Facade is not null && p.Generated is not null)
                .Select(p => Report.Number(p.Facade!.Value.MeanNs / p.Generated!.Value.MeanNs, "0.00"));
            var extra = facade.Value.Bytes - generated.Value.Bytes;
            rows.Add(
            [
                provider,
                Report.Micros(hand.Value.MeanNs / 1000),
                Report.Micros(generated.Value.MeanNs / 1000),
                Report.Micros(facade.Value.MeanNs / 1000),
                Report.Number(ratio, "0.00") + "×",
                Report.Number(medianRatio, "0.00") + "×",
                string.Join(", ", roundRatios),
                Report.Bytes(hand.Value.Bytes),
                Report.Bytes(generated.Value.Bytes),
                Report.Bytes(facade.Value.Bytes),
                (extra >= 0 ? "+" : "") + Report.Bytes(extra),
                $"time {Report.Met(ratio <= TimeRatioTarget)}, alloc {Report.Met(extra <= ExtraAllocationTarget)}",
            ]);
        }

        report.Table(
            ["provider", "hand-written", "generated", "facade", "facade ÷ generated (means)", "(medians)", "(each round)", "alloc hand-written", "alloc generated", "alloc facade", "facade − generated", "targets"],
            rows);
    }

    /// <summary>One case's measured iterations of every round, pooled: mean, median (ns per call) and bytes per call.</summary>
    private static (double MeanNs, double MedianNs, double Bytes)? Pool(List<Summary> summaries, string provider, string method)
    {
        var values = new List<double>();
        double? bytes = null;
        foreach (var summary in summaries)
        {
            var report = FindReport(summary, provider, method);
            if (report?.ResultStatistics is not { } stats)
            {
                return null;
            }

            values.AddRange(stats.OriginalValues);
            bytes ??= report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        }

        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        var median = values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        return (values.Average(), median, bytes ?? 0);
    }

    private static BenchmarkReport? FindReport(Summary summary, string provider, string method) =>
        summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && Equals(r.BenchmarkCase.Parameters[nameof(FacadeCostBenchmarks.Provider)], provider));

    private static (double MeanNs, double MedianNs, double Bytes)? Find(Summary summary, string provider, string method)
    {
        var report = FindReport(summary, provider, method);
        if (report?.ResultStatistics is not { } stats)
        {
            return null;
        }

        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return (stats.Mean, stats.Median, bytes);
    }
}
