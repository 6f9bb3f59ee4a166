using System.Diagnostics;
using System.Net;
using AsyncTasks.Benchmarks.Infrastructure;

namespace AsyncTasks.Benchmarks.Scenarios;

/// <summary>
/// Benchmark 2, CPU per poll over real HTTP: <c>pollers</c> concurrent loops, each reading its own duomi task
/// again and again from WireMock on 127.0.0.1 (the spec's <c>succeeded</c> example) for a fixed time. The
/// figure is this process's CPU time (<see cref="Environment.CpuUsage"/>, user + kernel, all threads) over the
/// measured window divided by the polls completed in it; WireMock.Net runs in its own process, so its CPU is
/// excluded (shown separately). Three clients on identical transports with the facade's default settings (no
/// compression asked for): a raw HttpClient that only reads the body's bytes, the raw generated client, and the
/// facade; then the generated client and the facade again with compressed answers (WireMock gzips when asked), to
/// show what <see cref="AsyncTasksOptions.AcceptCompressedResponses"/> costs.
/// </summary>
public static class CpuPerPollScenario
{
    /// <summary>Target: client CPU time per completed poll through the facade, in microseconds.</summary>
    public const double MicrosPerPollTarget = 50;

    public sealed record Row(
        string Client,
        long Polls,
        TimeSpan Window,
        TimeSpan ClientCpu,
        TimeSpan ClientUserCpu,
        TimeSpan ServerCpu,
        double AllocatedPerPoll,
        long WrongResults,
        long Errors,
        string? FirstError)
    {
        /// <summary>Whether the client read every poll right: no wrong result, and transport errors (a loaded machine) under 1 %.</summary>
        public bool Ok => Polls > 0 && WrongResults == 0 && Errors * 100 <= Polls;

        public double CpuPerPollMicros => ClientCpu.TotalMicroseconds / Math.Max(1, Polls);

        public double UserCpuPerPollMicros => ClientUserCpu.TotalMicroseconds / Math.Max(1, Polls);

        /// <summary>NaN when WireMock's CPU time could not be read.</summary>
        public double ServerCpuPerPollMicros => ServerCpu < TimeSpan.Zero ? double.NaN : ServerCpu.TotalMicroseconds / Math.Max(1, Polls);

        public double PollsPerSecond => Polls / Window.TotalSeconds;
    }

    /// <summary>
    /// Starts WireMock, warms it up (the JVM compiles Jetty and WireMock under load; until then it is the bottleneck
    /// and the client idles), then measures the three clients <paramref name="rounds"/> times in rotation and keeps,
    /// per client, the round with the median CPU per poll.
    /// </summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(
        int pollers, TimeSpan serverWarmup, TimeSpan warmup, TimeSpan duration, int rounds, Action<string> log)
    {
        var duomi = ProviderCase.Get("duomi");
        log("starting WireMock on 127.0.0.1…");
        using var wiremock = WireMockProcess.Start(containerThreads: pollers + 36);
        await wiremock.StubJsonAsync("/api/gemini/nano-banana/.*", duomi.ExampleBody).ConfigureAwait(false);
        var baseUrl = wiremock.BaseUri;

        using var rawTransport = CreateTransport();
        using var raw = duomi.CreateRawClient(rawTransport, baseUrl);
        using var generatedTransport = CreateTransport();
        using var generated = duomi.CreateRawClient(generatedTransport, baseUrl);
        using var facade = new TaskClient(ProviderCase.Options(baseUrl));
        using var gzipTransport = CreateTransport(acceptCompression: true);
        using var generatedGzip = duomi.CreateRawClient(gzipTransport, baseUrl);
        var gzipOptions = ProviderCase.Options(baseUrl);
        gzipOptions.AcceptCompressedResponses = true;
        using var facadeGzip = new TaskClient(gzipOptions);
        var tasks = Enumerable.Range(0, pollers).Select(i => new TaskRef(Provider.Duomi, $"poll-{i}")).ToArray();

        // The raw HttpClient: GET, status check, body read as bytes. No parsing at all.
        (string Name, Func<int, Task<bool>> Poll)[] clients =
        [
            ("raw HttpClient (bytes only)", async i =>
            {
                using var response = await raw.GetAsync(new Uri($"api/gemini/nano-banana/poll-{i}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.OK && body.Length > 0;
            }),
            ("generated client", async i =>
            {
                var result = (AsyncTasks.Generated.Duomi.NanoBananaTaskEnvelope)await duomi.Generated(generated, $"poll-{i}", CancellationToken.None).ConfigureAwait(false);
                return result.Data?.State == "succeeded";
            }),
            ("facade (TaskClient.GetAsync)", async i =>
            {
                var snapshot = await facade.GetAsync(tasks[i]).ConfigureAwait(false);
                return snapshot.State == TaskState.Succeeded && snapshot.Outputs.Count == 1;
            }),
            (GeneratedGzip, async i =>
            {
                var result = (AsyncTasks.Generated.Duomi.NanoBananaTaskEnvelope)await duomi.Generated(generatedGzip, $"poll-{i}", CancellationToken.None).ConfigureAwait(false);
                return result.Data?.State == "succeeded";
            }),
            (FacadeGzip, async i =>
            {
                var snapshot = await facadeGzip.GetAsync(tasks[i]).ConfigureAwait(false);
                return snapshot.State == TaskState.Succeeded && snapshot.Outputs.Count == 1;
            }),
        ];

        log($"warming WireMock up for {serverWarmup.TotalSeconds:0} s (every client in turn)…");
        foreach (var (name, poll) in clients)
        {
            await MeasureAsync(name + " (server warm-up)", pollers, TimeSpan.Zero, serverWarmup / clients.Length, wiremock, log, poll).ConfigureAwait(false);
        }

        var measured = clients.ToDictionary(c => c.Name, _ => new List<Row>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, poll) in clients)
            {
                measured[name].Add(await MeasureAsync(name, pollers, warmup, duration, wiremock, log, poll).ConfigureAwait(false));
            }
        }

        return [.. clients.Select(c => measured[c.Name].OrderBy(r => r.CpuPerPollMicros).ElementAt(rounds / 2))];
    }

    /// <summary>The row of the generated client asking for compressed answers.</summary>
    public const string GeneratedGzip = "generated client, compressed answers";

    /// <summary>The row of the facade with <see cref="AsyncTasksOptions.AcceptCompressedResponses"/> on (not its default).</summary>
    public const string FacadeGzip = "facade, AcceptCompressedResponses = true";

    /// <summary>
    /// The facade's own transport settings (HttpPipeline.CreateTransport; compression only when asked for, as with
    /// <see cref="AsyncTasksOptions.AcceptCompressedResponses"/>), with the proxy off: traffic stays on 127.0.0.1.
    /// </summary>
    internal static SocketsHttpHandler CreateTransport(bool acceptCompression = false) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = acceptCompression ? DecompressionMethods.All : DecompressionMethods.None,
    };

    private static async Task<Row> MeasureAsync(
        string name, int pollers, TimeSpan warmup, TimeSpan duration, WireMockProcess server, Action<string> log, Func<int, Task<bool>> poll)
    {
        log($"{name}: {pollers} pollers, {warmup.TotalSeconds:0.#} s warm-up, {duration.TotalSeconds:0.#} s measured…");
        long polls = 0;
        long wrong = 0;
        long errors = 0;
        string? firstError = null;
        var stop = false;
        var loops = Enumerable.Range(0, pollers).Select(i => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    var right = await poll(i).ConfigureAwait(false);
                    Interlocked.Increment(ref right ? ref polls : ref wrong);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskClientException or TaskCanceledException or AsyncTasks.Generated.ApiException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
                }
            }
        })).ToArray();

        await Task.Delay(warmup).ConfigureAwait(false);
        var polls0 = Interlocked.Read(ref polls);
        var wrong0 = Interlocked.Read(ref wrong);
        var errors0 = Interlocked.Read(ref errors);
        var usage0 = Environment.CpuUsage;
        var server0 = server.ServerProcessorTime;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: false);
        var window = Stopwatch.StartNew();

        await Task.Delay(duration).ConfigureAwait(false);

        var polls1 = Interlocked.Read(ref polls);
        var wrong1 = Interlocked.Read(ref wrong);
        var errors1 = Interlocked.Read(ref errors);
        var usage1 = Environment.CpuUsage;
        var server1 = server.ServerProcessorTime;
        var allocated1 = GC.GetTotalAllocatedBytes(precise: false);
        window.Stop();

        Volatile.Write(ref stop, true);
        await Task.WhenAll(loops).ConfigureAwait(false);

        var count = polls1 - polls0;
        var row = new Row(name, count, window.Elapsed, usage1.TotalTime - usage0.TotalTime, usage1.UserTime - usage0.UserTime, server0 > TimeSpan.Zero && server1 >= server0 ? server1 - server0 : TimeSpan.FromTicks(-1),
            (double)(allocated1 - allocated0) / Math.Max(1, count), wrong1 - wrong0, errors1 - errors0, firstError);
        log($"  {count} polls ({row.PollsPerSecond:0}/s), {row.CpuPerPollMicros:0.0} µs client CPU per poll ({row.UserCpuPerPollMicros:0.0} µs user), {row.ServerCpuPerPollMicros:0.0} µs WireMock CPU, {row.WrongResults} wrong results, {row.Errors} errors{(row.FirstError is null ? "" : " (first: " + row.FirstError + ")")}");
        return row;
    }
}
