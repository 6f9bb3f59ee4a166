using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AsyncTasks.Benchmarks.Facade;
using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Generated.Duomi;
using AsyncTasks.Generated.Kexiang;
using AsyncTasks.Generated.Mountsea;
using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Generated.TencentVod;
using AsyncTasks.Kiota.Duomi;
using AsyncTasks.Kiota.Kexiang;
using AsyncTasks.Kiota.Mountsea;
using AsyncTasks.Kiota.SkyEngine;
using AsyncTasks.Kiota.TencentVod;
using AsyncTasks.Tests.Contract;
using AsyncTasks.Tests.Infrastructure.Json;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Benchmarks.Generated;

/// <summary>
/// Scenario 5: the NSwag and the Kiota client of each spec, side by side on every documented response example
/// (its status and bytes, from an in-memory handler: no network noise). Per read: thread CPU time, wall time and bytes allocated;
/// per example: whether both read the same values (<see cref="ClientProjection"/>, as the differential contract
/// test does); per provider: whether a field no schema declares is kept, and whether an unlisted status value
/// is read as is. Both clients are created once per provider and reused, as the facade does.
/// </summary>
public static class GeneratedClientComparison
{
    private const string UnlistedStatus = "zz-unlisted-status-42";
    private const string UnknownField = "zzUnknownField";
    private static readonly Uri BaseUrl = new("http://127.0.0.1:9/");

    /// <summary>One client's figures on one provider.</summary>
    public sealed record Row(
        string Provider,
        string Client,
        int SuccessExamples,
        double SuccessCpu,
        double SuccessWall,
        double SuccessBytes,
        int ErrorExamples,
        double ErrorCpu,
        double ErrorWall,
        double ErrorBytes,
        int AsynchronousReads,
        int Agreeing,
        int Examples,
        string UnknownField,
        string UnlistedStatus);

    /// <summary>Runs the comparison (short mode: fewer reads), adds its section to <paramref name="report"/>; false when the clients disagreed or failed an extra case.</summary>
    public static async Task<bool> RunAsync(Report report, bool shortMode)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (warmup, rounds, reads) = shortMode ? (100, 1, 100) : (3_000, 7, 2_000);
        var rows = await MeasureAllAsync(warmup, rounds, reads, Console.WriteLine).ConfigureAwait(false);
        report.Section(
            "5. NSwag and Kiota clients",
            $"Each spec's NSwag client (the facade's) and Kiota client read every documented response example of the spec, served with its " +
            $"status by an in-memory handler (no network), both clients created once per provider. Per example and client: {rounds} interleaved " +
            $"rounds of {reads:N0} reads after {warmup:N0} warm-up reads; the median round (by CPU time) gives the CPU time of the reading thread " +
            "(clock_gettime CLOCK_THREAD_CPUTIME_ID: every read completes synchronously, and the time other processes take is left out), the wall time " +
            "and the bytes allocated (whole process, precise) per read, averaged over the provider's 2xx examples and over its error examples (the read ends in the client's exception). " +
            "Agreement: examples on which both clients read the same value at every leaf (the differential contract test's comparison). " +
            $"Undeclared field: a root field no schema declares added to the example; unlisted status: its status value replaced by '{UnlistedStatus}'.");
        static string Cell(int count, Func<string> text) => count == 0 ? "—" : text();
        report.Table(
            ["provider", "client", "2xx examples", "CPU per 2xx read", "wall per 2xx read", "allocated per 2xx read", "error examples", "CPU per error read", "wall per error read", "allocated per error read", "agree", "undeclared field", "unlisted status"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Provider,
                r.Client,
                r.SuccessExamples.ToString(CultureInfo.InvariantCulture),
                Report.Micros(r.SuccessCpu),
                Report.Micros(r.SuccessWall),
                Report.Bytes(r.SuccessBytes),
                r.ErrorExamples.ToString(CultureInfo.InvariantCulture),
                Cell(r.ErrorExamples, () => Report.Micros(r.ErrorCpu)),
                Cell(r.ErrorExamples, () => Report.Micros(r.ErrorWall)),
                Cell(r.ErrorExamples, () => Report.Bytes(r.ErrorBytes)),
                $"{r.Agreeing}/{r.Examples}",
                r.UnknownField,
                r.UnlistedStatus,
            ]));
        var nswag = rows.Where(r => r.Client == "NSwag").ToList();
        var kiota = rows.Where(r => r.Client == "Kiota").ToList();
        report.Line(string.Create(
            CultureInfo.InvariantCulture,
            $"Kiota ÷ NSwag (mean of the five per-provider ratios), 2xx reads: CPU {Ratio(kiota, nswag, r => r.SuccessCpu):0.00}×, wall {Ratio(kiota, nswag, r => r.SuccessWall):0.00}×, " +
            $"allocation {Ratio(kiota, nswag, r => r.SuccessBytes):0.00}×; error reads: CPU {Ratio(kiota, nswag, r => r.ErrorCpu):0.00}×, wall {Ratio(kiota, nswag, r => r.ErrorWall):0.00}×, " +
            $"allocation {Ratio(kiota, nswag, r => r.ErrorBytes):0.00}×. Reads that did not complete synchronously (CPU time then misses part of them): {rows.Sum(r => r.AsynchronousReads)}."));
        return Ok(rows);
    }

    private static double Mean(List<(SpecExample Example, Sample Sample)> figures, Func<Sample, double> figure) =>
        figures.Count == 0 ? double.NaN : figures.Average(f => figure(f.Sample));

    private static double Ratio(List<Row> kiota, List<Row> nswag, Func<Row, double> figure) =>
        kiota.Zip(nswag).Select(p => figure(p.First) / figure(p.Second)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    /// <summary>Measures every provider; <paramref name="rounds"/> interleaved rounds of <paramref name="reads"/> reads per example and client.</summary>
    public static async Task<List<Row>> MeasureAllAsync(int warmup, int rounds, int reads, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var rows = new List<Row>();
        foreach (var provider in ProviderCase.All)
        {
            var pair = Pairs[provider.Name];
            var examples = Examples(provider.SpecFile);
            var figures = new Dictionary<string, List<(SpecExample Example, Sample Sample)>> { ["NSwag"] = [], ["Kiota"] = [] };
            var agreeing = 0;
            foreach (var example in examples)
            {
                using var handler = new StubHandler(example.Status, example.Body);
                using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = BaseUrl };
                using var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = BaseUrl.ToString().TrimEnd('/') };
                var nswag = pair.NSwag(http, provider.TaskId);
                var kiota = pair.Kiota(adapter, provider.TaskId);

                var (nswagOutcome, kiotaOutcome) = (await ProjectAsync(nswag, ClientProjection.FromNSwag).ConfigureAwait(false), await ProjectAsync(kiota, ClientProjection.FromKiota).ConfigureAwait(false));
                var differences = ClientProjection.Differences(nswagOutcome, kiotaOutcome);
                agreeing += differences.Count == 0 ? 1 : 0;
                foreach (var difference in differences)
                {
                    log($"  {provider.Name} {example.Name}: {difference}");
                }

                await MeasureAsync(nswag, warmup).ConfigureAwait(false);
                await MeasureAsync(kiota, warmup).ConfigureAwait(false);
                var samples = new Dictionary<string, List<Sample>> { ["NSwag"] = [], ["Kiota"] = [] };
                for (var round = 0; round < rounds; round++)
                {
                    // Alternate which client goes first, so neither always runs on a freshly warmed cache.
                    foreach (var (name, read) in round % 2 == 0 ? [("NSwag", nswag), ("Kiota", kiota)] : new[] { ("Kiota", kiota), ("NSwag", nswag) })
                    {
                        samples[name].Add(await MeasureAsync(read, reads).ConfigureAwait(false));
                    }
                }

                foreach (var (name, list) in samples)
                {
                    // The median round by CPU time; its wall time and allocation are reported with it.
                    var median = list.OrderBy(s => ThreadCpuClock.Supported ? s.CpuMicros : s.Micros).ElementAt(list.Count / 2);
                    figures[name].Add((example, median with { Asynchronous = list.Sum(s => s.Asynchronous) }));
                }

                var (n, k) = (figures["NSwag"][^1].Sample, figures["Kiota"][^1].Sample);
                log($"  {provider.Name} {example.Name} ({example.Status}): NSwag {n.CpuMicros:0.00} µs CPU {n.Micros:0.00} µs wall {n.Bytes:0} B, Kiota {k.CpuMicros:0.00} µs CPU {k.Micros:0.00} µs wall {k.Bytes:0} B");
            }

            var unknown = await ExtraCaseAsync(provider, pair, examples.First(e => e.Name == pair.StatusExample).Body, body => ((JObject)body)[UnknownField] = UnknownValue(), ReadsUnknownField).ConfigureAwait(false);
            var unlisted = await ExtraCaseAsync(provider, pair, examples.First(e => e.Name == pair.StatusExample).Body, body => body.SelectToken(pair.StatusPath)!.Replace(UnlistedStatus), o => ReadsUnlistedStatus(o, pair.StatusPath)).ConfigureAwait(false);
            foreach (var client in new[] { "NSwag", "Kiota" })
            {
                var success = figures[client].Where(f => f.Example.Status is >= 200 and < 300).ToList();
                var errors = figures[client].Where(f => f.Example.Status is < 200 or >= 300).ToList();
                rows.Add(new Row(
                    provider.Name,
                    client,
                    success.Count,
                    Mean(success, f => f.CpuMicros),
                    Mean(success, f => f.Micros),
                    Mean(success, f => f.Bytes),
                    errors.Count,
                    Mean(errors, f => f.CpuMicros),
                    Mean(errors, f => f.Micros),
                    Mean(errors, f => f.Bytes),
                    figures[client].Sum(f => f.Sample.Asynchronous),
                    agreeing,
                    examples.Count,
                    unknown[client],
                    unlisted[client]));
            }
        }

        return rows;
    }

    /// <summary>Whether the comparison itself went right: both clients read every example alike and handled both extra cases.</summary>
    public static bool Ok(IEnumerable<Row> rows) =>
        rows.All(r => r.Agreeing == r.Examples && r.UnknownField == "kept" && r.UnlistedStatus == "read as is");

    /// <summary>The two clients of one provider, the example whose status value is replaced, and where that value is.</summary>
    private sealed record ClientPair(
        string StatusExample,
        string StatusPath,
        Func<HttpClient, string, Func<CancellationToken, Task<object?>>> NSwag,
        Func<IRequestAdapter, string, Func<CancellationToken, Task<object?>>> Kiota);

    private sealed record SpecExample(string Name, int Status, byte[] Body);

    private static readonly Dictionary<string, ClientPair> Pairs = new(StringComparer.Ordinal)
    {
        ["mountsea"] = new(
            "videoCompleted",
            "status",
            (http, id) => { var c = new MountseaClient(http); return async ct => await c.GetTaskResultAsync(id, ct).ConfigureAwait(false); },
            (adapter, id) => { var c = new MountseaKiotaClient(adapter); return async ct => await c.Gemini.Task.Result.GetAsync(r => r.QueryParameters.TaskId = id, ct).ConfigureAwait(false); }),
        ["duomi"] = new(
            "succeeded",
            "data.state",
            (http, id) => { var c = new DuomiClient(http); return async ct => await c.GetNanoBananaTaskAsync(id, ct).ConfigureAwait(false); },
            (adapter, id) => { var c = new DuomiKiotaClient(adapter); return async ct => await c.Api.Gemini.NanoBanana[id].GetAsync(cancellationToken: ct).ConfigureAwait(false); }),
        ["kexiang"] = new(
            "success",
            "task_status",
            (http, id) => { var c = new KexiangClient(http); return async ct => await c.GetUserTaskAsync(id, ct).ConfigureAwait(false); },
            (adapter, id) => { var c = new KexiangKiotaClient(adapter); return async ct => await c.Api.V1.User_task.GetPath.PassAuth[id].GetAsync(cancellationToken: ct).ConfigureAwait(false); }),
        ["tencent-vod"] = new(
            "imageFinished",
            "Response.Status",
            (http, id) => { var c = new TencentVodClient(http); return async ct => await c.GetTaskDetailAsync(id, ct).ConfigureAwait(false); },
            (adapter, id) => { var c = new TencentVodKiotaClient(adapter); return async ct => await c.TencentVod.V1.Query[id].GetAsync(cancellationToken: ct).ConfigureAwait(false); }),
        ["skyengine"] = new(
            "doneVertexShape",
            "response['@type']",
            (http, id) => { var c = new SkyEngineClient(http); var p = id.Split('/'); return async ct => await c.GetGenerateVideosOperationAsync(p[1], p[3], p[5], p[7], p[9], ct).ConfigureAwait(false); },
            (adapter, id) =>
            {
                var c = new SkyEngineKiotaClient(adapter);
                var p = id.Split('/');
                return async ct => await c.V1beta.Projects[p[1]].Locations[p[3]].Publishers[p[5]].Models[p[7]].Operations[p[9]].GetAsync(cancellationToken: ct).ConfigureAwait(false);
            }),
    };

    /// <summary>Every response example of the spec's GET operation, in document order, with its status and compact bytes.</summary>
    private static List<SpecExample> Examples(string specFile)
    {
        var root = AsyncTasks.Cli.Demo.SpecResource.Load(specFile).Root;
        var examples = new List<SpecExample>();
        foreach (var (_, item) in root["paths"]!.AsObject())
        {
            foreach (var (status, response) in item?["get"]?["responses"]?.AsObject() ?? [])
            {
                foreach (var (name, example) in response?["content"]?["application/json"]?["examples"]?.AsObject() ?? [])
                {
                    var code = status == "default" ? 500 : int.Parse(status, CultureInfo.InvariantCulture);
                    examples.Add(new SpecExample(name, code, Encoding.UTF8.GetBytes(example!["value"]!.ToJsonString(new JsonSerializerOptions { WriteIndented = false }))));
                }
            }
        }

        return examples;
    }

    private static async Task<JObject> ProjectAsync(Func<CancellationToken, Task<object?>> read, Func<object?, Exception?, JObject> project)
    {
        try
        {
            return project(await read(CancellationToken.None).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is AsyncTasks.Generated.ApiException or ApiException or JsonException or FormatException)
        {
            return project(null, ex);
        }
    }

    /// <summary>
    /// One sample of <paramref name="reads"/> reads, per read: wall time, CPU time of the calling thread (every read
    /// completes synchronously on the in-memory handler, so it is the whole cost of the read, and what other
    /// processes of the machine take is left out) and bytes allocated (whole process, precise).
    /// </summary>
    private static async Task<Sample> MeasureAsync(Func<CancellationToken, Task<object?>> read, int reads)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ThreadCpuClock.Supported ? ThreadCpuClock.Nanoseconds() : 0;
        var watch = Stopwatch.StartNew();
        var asynchronous = 0;
        for (var i = 0; i < reads; i++)
        {
            var task = read(CancellationToken.None);
            asynchronous += task.IsCompleted ? 0 : 1;
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AsyncTasks.Generated.ApiException or ApiException)
            {
                // A documented error answer: the read ends in the client's exception, which is what is measured.
            }
        }

        watch.Stop();
        var cpu = ThreadCpuClock.Supported ? ThreadCpuClock.Nanoseconds() - cpuBefore : double.NaN;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return new Sample(watch.Elapsed.TotalMicroseconds / reads, cpu / 1000 / reads, (double)allocated / reads, asynchronous);
    }

    private sealed record Sample(double Micros, double CpuMicros, double Bytes, int Asynchronous);

    /// <summary>Reads a modified copy of an example with both clients and says, per client, what <paramref name="verdict"/> makes of the outcome.</summary>
    private static async Task<Dictionary<string, string>> ExtraCaseAsync(
        ProviderCase provider, ClientPair pair, byte[] example, Action<JToken> modify, Func<JObject, string> verdict)
    {
        var body = JsonText.Parse(Encoding.UTF8.GetString(example));
        modify(body);
        using var handler = new StubHandler(200, Encoding.UTF8.GetBytes(JsonText.Compact(body)));
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = BaseUrl };
        using var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = BaseUrl.ToString().TrimEnd('/') };
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["NSwag"] = verdict(await ProjectAsync(pair.NSwag(http, provider.TaskId), ClientProjection.FromNSwag).ConfigureAwait(false)),
            ["Kiota"] = verdict(await ProjectAsync(pair.Kiota(adapter, provider.TaskId), ClientProjection.FromKiota).ConfigureAwait(false)),
        };
    }

    private static JObject UnknownValue() => new() { ["nested"] = new JArray(1, "two"), ["flag"] = true };

    private static string ReadsUnknownField(JObject outcome) =>
        outcome["threw"]!.Value<bool>() ? "failed"
        : JToken.DeepEquals(outcome.SelectToken("body." + UnknownField), UnknownValue()) ? "kept"
        : "lost";

    private static string ReadsUnlistedStatus(JObject outcome, string path) =>
        outcome["threw"]!.Value<bool>() ? "failed: " + outcome["failure"]
        : (string?)outcome["body"]!.SelectToken(path) == UnlistedStatus ? "read as is"
        : "changed";

    /// <summary>Answers every request at once with one status and body (the example's).</summary>
    private sealed class StubHandler(int status, byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            return Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = content, RequestMessage = request });
        }
    }
}
