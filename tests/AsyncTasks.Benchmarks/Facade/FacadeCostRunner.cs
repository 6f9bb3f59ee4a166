using AsyncTasks.Benchmarks.Infrastructure;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace AsyncTasks.Benchmarks.Facade;

/// <summary>Runs <see cref="FacadeCostBenchmarks"/> and <see cref="ManyOutputsBenchmarks"/> with BenchmarkDotNet and reports them.</summary>
public static class FacadeCostRunner
{
    /// <summary>Budget: bytes allocated by one read through the facade.</summary>
    public const double AllocationBudget = 8 * 1024;

    private static readonly int[] ManyOutputsSizes = [20_000, 200_000];

    /// <returns>Whether every benchmark ran (budgets are reported, not enforced).</returns>
    public static bool Run(Report report, bool shortMode, string artifacts, string[] benchmarkArgs)
    {
        var reads = RunBenchmarks<FacadeCostBenchmarks>(shortMode, artifacts, benchmarkArgs);
        var many = RunBenchmarks<ManyOutputsBenchmarks>(shortMode, artifacts, benchmarkArgs);
        if (reads is null || many is null)
        {
            report.Section("1. Cost of one read", "BenchmarkDotNet produced no results.");
            return false;
        }

        report.Section(
            "1. Cost of one read (BenchmarkDotNet)",
            "GetAsync on an in-memory HttpMessageHandler answering the provider's documented example (from specs/*.yaml). " +
            "`hand-written` = HttpClient + source-generated System.Text.Json into a minimal record (the practical floor); " +
            "`generated` = the NSwag client alone; `facade` = `TaskClient.GetAsync` (handler chain, generated client, adapter, " +
            "snapshot). Mean time and bytes allocated per read ([MemoryDiagnoser]). Budget: ≤ 8 KiB allocated per read.");
        report.Table(
            ["provider", "hand-written", "generated", "facade", "facade ÷ hand-written", "alloc hand-written", "alloc facade", "≤ 8 KiB"],
            FacadeCostBenchmarks.Providers.Select(provider =>
            {
                var hand = Find(reads, nameof(FacadeCostBenchmarks.HandWritten), nameof(FacadeCostBenchmarks.Provider), provider);
                var generated = Find(reads, nameof(FacadeCostBenchmarks.Generated), nameof(FacadeCostBenchmarks.Provider), provider);
                var facade = Find(reads, nameof(FacadeCostBenchmarks.Facade), nameof(FacadeCostBenchmarks.Provider), provider);
                return hand is null || generated is null || facade is null
                    ? (IReadOnlyList<string>)[provider, "no result", "", "", "", "", "", ""]
                    :
                    [
                        provider,
                        Report.Micros(hand.Value.MeanNs / 1000),
                        Report.Micros(generated.Value.MeanNs / 1000),
                        Report.Micros(facade.Value.MeanNs / 1000),
                        Report.Number(facade.Value.MeanNs / hand.Value.MeanNs, "0.0") + "×",
                        Report.Bytes(hand.Value.Bytes),
                        Report.Bytes(facade.Value.Bytes),
                        Report.Met(facade.Value.Bytes <= AllocationBudget),
                    ];
            }));

        report.Section(
            "1b. Cost linear in the answer",
            "One Mountsea answer listing N image URLs (every tenth a repeat, dropped), read through `TaskClient.GetAsync` on an " +
            "in-memory transport (`Answers:MaxOutputs` raised to N). Linear when the time per URL stays flat as N grows tenfold.");
        report.Table(
            ["URLs in the answer", "mean per read", "per URL", "allocated per read"],
            ManyOutputsSizes.Select(n =>
            {
                var result = Find(many, nameof(ManyOutputsBenchmarks.Read), nameof(ManyOutputsBenchmarks.Outputs), n);
                return result is null
                    ? (IReadOnlyList<string>)[n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), "no result", "", ""]
                    :
                    [
                        n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                        Report.Number(result.Value.MeanNs / 1e6, "0.0") + " ms",
                        Report.Micros(result.Value.MeanNs / 1000 / n),
                        Report.Bytes(result.Value.Bytes),
                    ];
            }));

        return new[] { reads, many }.All(s => !s.HasCriticalValidationErrors && s.Reports.All(r => r.Success));
    }

    private static Summary? RunBenchmarks<T>(bool shortMode, string artifacts, string[] benchmarkArgs)
    {
        // In-process: the numbers come from the very binaries this command built. Fixed iteration counts instead of
        // BenchmarkDotNet's open-ended default on a noisy machine; short mode only proves every benchmark still runs.
        var job = shortMode
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithIterationTime(TimeInterval.FromMilliseconds(50)).WithId("Short")
            : Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(20).WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("Full");
        var config = DefaultConfig.Instance
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(Path.Combine(artifacts, "bdn"))
            .WithOptions(ConfigOptions.JoinSummary);
        return BenchmarkSwitcher.FromTypes([typeof(T)]).Run(benchmarkArgs.Length > 0 ? benchmarkArgs : ["--filter", "*"], config).FirstOrDefault();
    }

    private static (double MeanNs, double Bytes)? Find(Summary summary, string method, string parameter, object value)
    {
        var report = summary.Reports.FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method && Equals(r.BenchmarkCase.Parameters[parameter], value));
        return report?.ResultStatistics is { } stats
            ? (stats.Mean, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0)
            : null;
    }
}
