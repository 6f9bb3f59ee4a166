using System.Globalization;
using AsyncTasks.Benchmarks.Facade;
using AsyncTasks.Benchmarks.Generated;
using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Benchmarks.Scenarios;

namespace AsyncTasks.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/AsyncTasks.Benchmarks -- [all|bench|scenarios [cpu] [waits] [large]|clients|tracking [--tasks N] [--servers 1,2,4,4k] [--latency-ms N]] [--ci|--short] [--out FILE] [BenchmarkDotNet options]</c>,
/// or <c>-- diagnose handlers|allocations|poll</c> (see <see cref="Diagnostics.ReadPathDiagnostics"/>).
/// Runs the BenchmarkDotNet benchmarks (1, 1b), the scenarios (2–4) and the client comparison (5), prints the results as Markdown and writes
/// them to BenchmarkDotNet.Artifacts/results.md (or FILE). Exits 1 when something failed to run or read wrong
/// results; the budgets are reported, never enforced.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["child", "large", var kind, var size])
        {
            return await LargeOutputsScenario.ChildMainAsync(kind, long.Parse(size, CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        if (args is ["diagnose", .. var diagnose])
        {
            return await Diagnostics.ReadPathDiagnostics.RunAsync(diagnose).ConfigureAwait(false);
        }

        if (args is ["child", "wiremock", var threads])
        {
            return await WireMockProcess.ChildMainAsync(int.Parse(threads, CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        var mode = "all";
        var shortMode = false;
        string? output = null;
        int? trackedTasks = null;
        Tracking.TrackingScenario.Plan[]? trackingServers = null;
        var gatewayLatency = TimeSpan.Zero;
        var scenarios = new HashSet<string>(StringComparer.Ordinal);
        var benchmarkArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--ci" or "--short":
                    shortMode = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--tasks" when i + 1 < args.Length:
                    trackedTasks = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--servers" when i + 1 < args.Length:
                    trackingServers = [.. args[++i].Split(',').Select(Tracking.TrackingScenario.Plan.Parse)];
                    break;
                case "--latency-ms" when i + 1 < args.Length:
                    gatewayLatency = TimeSpan.FromMilliseconds(int.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case "all" or "bench" or "scenarios" or "clients" or "tracking" when i == 0:
                    mode = args[i];
                    break;
                case "cpu" or "waits" or "large" when mode == "scenarios":
                    scenarios.Add(args[i]);
                    break;
                default:
                    benchmarkArgs.Add(args[i]);
                    break;
            }
        }

        if (scenarios.Count == 0)
        {
            scenarios.UnionWith(["cpu", "waits", "large"]);
        }

        var artifacts = Path.Combine(Repository.Root, "BenchmarkDotNet.Artifacts");
        Directory.CreateDirectory(artifacts);
        var command = "dotnet run -c Release --project tests/AsyncTasks.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : string.Empty);
        var report = new Report(command, shortMode);
        var ok = true;

        if (mode is "all" or "bench")
        {
            ok &= FacadeCostRunner.Run(report, shortMode, artifacts, [.. benchmarkArgs]);
        }

        if (mode is "tracking")
        {
            ok &= await Run("tracking at scale", () => Tracking.TrackingReport.RunAsync(report, shortMode, trackedTasks, trackingServers, gatewayLatency)).ConfigureAwait(false);
        }

        if (mode is "all" or "scenarios")
        {
            if (scenarios.Contains("cpu"))
            {
                ok &= await Run("CPU per poll", () => CpuPerPoll(report, shortMode)).ConfigureAwait(false);
            }

            if (scenarios.Contains("waits"))
            {
                ok &= await Run("many waits", () => ManyWaits(report, shortMode)).ConfigureAwait(false);
            }

            if (scenarios.Contains("large"))
            {
                ok &= await Run("large outputs", () => LargeOutputs(report, shortMode)).ConfigureAwait(false);
            }
        }

        if (mode is "all" or "clients")
        {
            ok &= await Run("NSwag and Kiota clients", () => GeneratedClientComparison.RunAsync(report, shortMode)).ConfigureAwait(false);
        }

        var text = report.ToString();
        var file = output ?? Path.Combine(artifacts, "results.md");
        await File.WriteAllTextAsync(file, text).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(text);
        Console.WriteLine($"Results written to {file}. {(ok ? "Every benchmark ran and read correct results." : "SOMETHING FAILED: see above.")}");
        return ok ? 0 : 1;
    }

    private static async Task<bool> Run(string name, Func<Task<bool>> scenario)
    {
        Console.WriteLine($"== scenario: {name}");
        try
        {
            return await scenario().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"scenario {name} failed: {ex}");
            return false;
        }
    }

    private static async Task<bool> CpuPerPoll(Report report, bool shortMode)
    {
        const int pollers = 64;
        var serverWarmup = TimeSpan.FromSeconds(shortMode ? 3 : 15);
        var warmup = TimeSpan.FromSeconds(shortMode ? 1 : 2);
        var duration = TimeSpan.FromSeconds(shortMode ? 2 : 10);
        var rounds = shortMode ? 1 : 3;
        var rows = await CpuPerPollScenario.RunAsync(pollers, serverWarmup, warmup, duration, rounds, Console.WriteLine).ConfigureAwait(false);
        report.Section(
            "2. CPU per poll over real HTTP",
            $"{pollers} concurrent pollers, each re-reading its own duomi task from WireMock (WireMock.Net in a " +
            $"child process, on 127.0.0.1, stub = the spec's `succeeded` example). WireMock is first warmed up for {serverWarmup.TotalSeconds:0} s; then each client " +
            $"is measured {rounds} time(s) in rotation, {duration.TotalSeconds:0} s after {warmup.TotalSeconds:0} s of warm-up, and the round with the median CPU per poll is shown. " +
            "Client CPU = this process's user + kernel CPU time (Environment.CpuUsage) over the window ÷ polls completed in it; " +
            "WireMock's CPU (its own process) is excluded and shown apart. The first three clients: identical SocketsHttpHandler " +
            "transports with the facade's default settings (no compression asked for; proxy off); the facade is a TaskClient " +
            "with its own transport. The last two ask for compressed answers (WireMock then gzips them): the generated client " +
            "on such a transport, the facade with AcceptCompressedResponses = true. Target: facade (default settings) ≤ 50 µs client CPU per poll.");
        report.Table(
            ["client", "polls", "polls/s", "client CPU per poll", "of which user", "allocated per poll", "WireMock CPU per poll", "wrong results / errors", "target ≤ 50 µs"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Client,
                r.Polls.ToString(CultureInfo.InvariantCulture),
                Report.Number(r.PollsPerSecond, "0"),
                Report.Micros(r.CpuPerPollMicros),
                Report.Micros(r.UserCpuPerPollMicros),
                Report.Bytes(r.AllocatedPerPoll),
                double.IsNaN(r.ServerCpuPerPollMicros) ? "n/a" : Report.Micros(r.ServerCpuPerPollMicros),
                string.Create(CultureInfo.InvariantCulture, $"{r.WrongResults} / {r.Errors}"),
                r.Client.StartsWith("facade (", StringComparison.Ordinal) ? Report.Met(r.CpuPerPollMicros <= CpuPerPollScenario.MicrosPerPollTarget) : "—",
            ]));
        foreach (var row in rows.Where(r => r.FirstError is not null))
        {
            report.Line($"{row.Client}: {row.Errors} transport errors in the window (first: {row.FirstError}).");
        }

        return rows.All(r => r.Ok);
    }

    private static async Task<bool> ManyWaits(Report report, bool shortMode)
    {
        var count = shortMode ? 2_000 : 10_000;
        var result = await ManyWaitsScenario.RunAsync(count).ConfigureAwait(false);
        report.Section(
            "3. Many concurrent waits",
            $"{count:N0} concurrent `WaitAsync` on distinct duomi tasks over an in-memory transport; each task answers the spec's " +
            $"`running` example 4 times and `succeeded` on poll {ManyWaitsScenario.PollsToFinish}; the poll delays (2 s growing ×1.5, ±20 %) " +
            "run on a fake TimeProvider advanced 10 s at a time. Retained per waiting task = (managed heap after a full blocking GC " +
            "while every wait sleeps between polls − before the waits) ÷ tasks. Peak = heap sampled every 1 ms without forcing a GC " +
            "(includes garbage not yet collected). Target: ≤ 5 KiB per waiting task.");
        report.Table(
            ["waits", "all succeeded after 5 polls", "wall time", "retained per waiting task", "peak heap per task", "allocated per task (whole wait)", "GCs gen0/1/2", "target ≤ 5 KiB"],
            [[
                result.Tasks.ToString("N0", CultureInfo.InvariantCulture),
                result.Failure is null ? "yes" : "NO: " + result.Failure,
                Report.Number(result.Wall.TotalSeconds, "0.00") + " s",
                Report.Bytes(result.RetainedPerWait),
                Report.Bytes(result.PeakPerWait),
                Report.Bytes(result.AllocatedPerWait),
                $"{result.Gen0}/{result.Gen1}/{result.Gen2}",
                Report.Met(result.RetainedPerWait <= ManyWaitsScenario.BytesPerWaitTarget),
            ]]);
        Console.WriteLine($"  {result.Tasks} waits in {result.Wall.TotalSeconds:0.00} s, {result.RetainedPerWait:0} B retained per wait, failure: {result.Failure ?? "none"}");
        return result.Failure is null;
    }

    private static async Task<bool> LargeOutputs(Report report, bool shortMode)
    {
        var inlineBytes = shortMode ? 5L << 20 : 50L << 20;
        var urlBytes = shortMode ? 64L << 20 : 1L << 30;
        var inline = await LargeOutputsScenario.RunInChildAsync(inline: true, inlineBytes).ConfigureAwait(false);
        Console.WriteLine($"  inline {inlineBytes} B: peak RSS +{inline.PeakRssIncrease} B, heap +{inline.PeakHeapIncrease} B, {inline.Failure ?? "ok"}");
        var url = await LargeOutputsScenario.RunInChildAsync(inline: false, urlBytes).ConfigureAwait(false);
        Console.WriteLine($"  url {urlBytes} B: peak RSS +{url.PeakRssIncrease} B, heap +{url.PeakHeapIncrease} B, {url.Failure ?? "ok"}");

        report.Section(
            "4. Large outputs",
            "A SkyEngine operation read with `GetAsync` and its video written to a file with `DownloadAsync`, served by a " +
            "TcpListener HTTP server on 127.0.0.1 inside the measuring process that generates the bytes as it sends them (64 KiB " +
            "buffers, nothing held). Each case runs in a fresh child process after a small warm-up read. Peak RSS increase = " +
            "VmHWM (reset to the current RSS through /proc/self/clear_refs just before) − VmRSS before: everything the process " +
            "touched. Peak heap increase = GC.GetTotalMemory(false) sampled every 1 ms − the heap before. Every downloaded byte is " +
            "checked against what the server sent. Budgets: inline ≤ 2.5× the payload, URL ≤ 64 MiB.");
        IReadOnlyList<string> Row(LargeOutputsScenario.Result r, double target, string targetText) =>
        [
            r.Case,
            Report.Bytes(r.PayloadBytes),
            r.Failure is null ? "yes" : "NO: " + r.Failure,
            Report.Number(r.WallSeconds, "0.00") + " s",
            Report.Bytes(r.PeakRssIncrease) + $" ({Report.Number((double)r.PeakRssIncrease / r.PayloadBytes, "0.00")}×)",
            Report.Bytes(r.PeakHeapIncrease) + $" ({Report.Number((double)r.PeakHeapIncrease / r.PayloadBytes, "0.00")}×)",
            Report.Bytes(r.AllocatedBytes),
            targetText + ": " + Report.Met(r.PeakRssIncrease <= target),
        ];
        report.Table(
            ["output", "payload", "bytes correct", "wall time", "peak RSS increase", "peak heap increase", "allocated", "target"],
            [
                Row(inline, LargeOutputsScenario.InlinePeakFactorTarget * inline.PayloadBytes, "≤ 2.5× payload"),
                Row(url, LargeOutputsScenario.UrlPeakTarget, "≤ 64 MiB"),
            ]);
        return inline.Failure is null && url.Failure is null;
    }
}
