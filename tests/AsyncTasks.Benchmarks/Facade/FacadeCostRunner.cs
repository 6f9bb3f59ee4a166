using AsyncTasks.Benchmarks.Infrastructure;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
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

    /// <returns>Whether every benchmark ran (targets are reported, not enforced).</returns>
    public static bool Run(Report report, bool shortMode, string artifacts, string[] benchmarkArgs)
    {
        var summary = RunBenchmarks<FacadeCostBenchmarks>(shortMode, artifacts, benchmarkArgs);
        if (summary is null || summary.Reports.Length == 0)
        {
            report.Section("1. Cost of the facade", "BenchmarkDotNet produced no results.");
            return false;
        }

        Add(report, summary, shortMode);
        return !summary.HasCriticalValidationErrors && summary.Reports.All(r => r.Success);
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

    private static Summary? RunBenchmarks<T>(bool shortMode, string artifacts, string[] benchmarkArgs)
    {
        // In-process: no second build of the project, and the numbers come from the very binaries this command
        // built. Full mode: a fixed 6 warm-up + 25 measured iterations of 250 ms per benchmark (about 3 minutes in
        // all, instead of BenchmarkDotNet's open-ended default on a noisy 2-core machine). Short mode: a handful of
        // 50 ms iterations, enough to prove every benchmark still runs.
        var job = shortMode
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(50)).WithId("Short")
            : Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(25)
                .WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("Full");
        var config = DefaultConfig.Instance
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(Path.Combine(artifacts, "bdn"))
            .WithOptions(ConfigOptions.JoinSummary);

        var summaries = BenchmarkSwitcher.FromTypes([typeof(T)]).Run(
            benchmarkArgs.Length > 0 ? benchmarkArgs : ["--filter", "*"], config);
        return summaries.FirstOrDefault();
    }

    private static void Add(Report report, Summary summary, bool shortMode)
    {
        report.Section(
            "1. Cost of the facade (BenchmarkDotNet)",
            "GetAsync on an in-memory HttpMessageHandler answering the provider's documented example (read from " +
            "specs/*.yaml). `facade` = `new TaskClient(options, transport: handler).GetAsync`; `generated` = the " +
            "NSwag client's Get…Async on an HttpClient over the same handler (the reference); `hand-written` = " +
            "HttpClient + source-generated System.Text.Json into a minimal record. Mean time (median beside the ratio: the " +
            "machine is noisy) and allocated bytes per " +
            "call ([MemoryDiagnoser]). Targets: facade ≤ 1.10× generated time, ≤ +2 KiB allocated per call." +
            (shortMode ? " Short mode: 3 × 50 ms iterations, indicative only." : string.Empty));

        var rows = new List<IReadOnlyList<string>>();
        foreach (var provider in FacadeCostBenchmarks.Providers)
        {
            var generated = Find(summary, provider, nameof(FacadeCostBenchmarks.Generated));
            var facade = Find(summary, provider, nameof(FacadeCostBenchmarks.Facade));
            var hand = Find(summary, provider, nameof(FacadeCostBenchmarks.HandWritten));
            if (generated is null || facade is null || hand is null)
            {
                rows.Add([provider, "no result", "", "", "", "", "", "", "", "", ""]);
                continue;
            }

            var ratio = facade.Value.MeanNs / generated.Value.MeanNs;
            var medianRatio = facade.Value.MedianNs / generated.Value.MedianNs;
            var extra = facade.Value.Bytes - generated.Value.Bytes;
            rows.Add(
            [
                provider,
                Report.Micros(hand.Value.MeanNs / 1000),
                Report.Micros(generated.Value.MeanNs / 1000),
                Report.Micros(facade.Value.MeanNs / 1000),
                Report.Number(ratio, "0.00") + "×",
                Report.Number(medianRatio, "0.00") + "×",
                Report.Bytes(hand.Value.Bytes),
                Report.Bytes(generated.Value.Bytes),
                Report.Bytes(facade.Value.Bytes),
                (extra >= 0 ? "+" : "") + Report.Bytes(extra),
                $"time {Report.Met(ratio <= TimeRatioTarget)}, alloc {Report.Met(extra <= ExtraAllocationTarget)}",
            ]);
        }

        report.Table(
            ["provider", "hand-written", "generated", "facade", "facade ÷ generated (means)", "(medians)", "alloc hand-written", "alloc generated", "alloc facade", "facade − generated", "targets"],
            rows);
    }

    private static (double MeanNs, double MedianNs, double Bytes)? Find(Summary summary, string provider, string method)
    {
        var report = summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && Equals(r.BenchmarkCase.Parameters[nameof(FacadeCostBenchmarks.Provider)], provider));
        if (report?.ResultStatistics is not { } stats)
        {
            return null;
        }

        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return (stats.Mean, stats.Median, bytes);
    }
}
