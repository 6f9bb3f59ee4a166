using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Hangfire;
using AsyncTasks.Hangfire.Worker;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace AsyncTasks.Benchmarks.Tracking;

/// <summary>
/// Tracking at scale: <c>tasks</c> duomi tasks tracked on PostgreSQL, each answering pending, running, then succeeded
/// (three polls), completed by 1, 2 and 4 Hangfire server processes (AsyncTasks.Hangfire.Worker), one of the four
/// killed half-way. Counts handler calls per task from the workers' files, polls at the stub, CPU of the workers and of
/// PostgreSQL, and the database's size.
/// </summary>
public static class TrackingScenario
{
    public sealed record Row(
        string Run,
        int Tasks,
        double TrackPerSecond,
        double Seconds,
        double HalfWaySeconds,
        long Polls,
        int HandlerCalls,
        int Distinct,
        double WorkerCpuPerPollMicros,
        double WorkerBusyCpuPerPollMicros,
        double JitPerPollMicros,
        double JitMethodsPerThousandPolls,
        double IdleCpuPerServerSecondMicros,
        double PostgresCpuPerPollMicros,
        double PostgresBusyCpuPerPollMicros,
        double BytesPerTask,
        double StatementsPerTask,
        double BaselineMicros)
    {
        public int Lost => Tasks - Distinct;

        public int Duplicates => HandlerCalls - Distinct;

        /// <summary>The tracking's own CPU per poll: busy worker CPU less the plain GetAsync measured just before the run.</summary>
        public double OverGetAsyncMicros => WorkerBusyCpuPerPollMicros - BaselineMicros;
    }

    public sealed record Result(IReadOnlyList<Row> Rows, int IntervalMs, int WorkersPerProcess, int WarmUpTasksPerServer, TimeSpan Latency);

    /// <summary>A run: how many server processes, and whether one of them is killed half-way.</summary>
    public sealed record Plan(int Servers, bool Kill)
    {
        /// <summary>"4" is four servers; "4k" four with one killed half-way.</summary>
        public static Plan Parse(string text) =>
            text.EndsWith('k') ? new(int.Parse(text[..^1], CultureInfo.InvariantCulture), Kill: true) : new(int.Parse(text, CultureInfo.InvariantCulture), Kill: false);

        public override string ToString() =>
            Servers + (Servers == 1 ? " server" : " servers") + (Kill ? ", one killed half-way" : string.Empty);
    }

    private const string Key = "bench-tracking-key-0123";

    /// <summary>One run per plan, each on a schema of its own.</summary>
    /// <param name="warmUpPerServer">Tasks each server completes before anything is counted: a server process's first
    /// minute is mostly the JIT compiling Hangfire, Npgsql and the poll path (about 15 s of CPU on a 2-core VM), not what
    /// a long-lived server costs.</param>
    /// <param name="latency">How long the stub takes to answer: zero makes the machine's CPU the bound; a gateway's
    /// latency makes each server's workers the bound, which more servers lift.</param>
    public static async Task<Result> RunAsync(int tasks, IReadOnlyList<Plan> plans, int warmUpPerServer, TimeSpan patience, TimeSpan latency, Action<string> log)
    {
        const int interval = 1000;
        const int workersPerProcess = 10;
        using var postgres = LocalPostgres.Start();
        using var stub = CountingStub.Start(latency);
        var folder = Directory.CreateTempSubdirectory("asynctasks-tracking-bench-").FullName;
        try
        {
            var rows = new List<Row>();
            for (var i = 0; i < plans.Count; i++)
            {
                // The yardstick is measured again before each run: this VM's speed drifts by tens of per cent within
                // minutes, and a difference of two figures means something only when both come from the same minutes.
                var baseline = await BaselineAsync(stub, log).ConfigureAwait(false);
                log($"tracking: {plans[i]}, {tasks:N0} tasks");
                rows.Add(await RunOnceAsync(postgres, stub, Path.Combine(folder, $"run-{i}"), "bench_" + i, plans[i], tasks, warmUpPerServer, interval, workersPerProcess, patience, baseline, log).ConfigureAwait(false));
            }

            return new Result(rows, interval, workersPerProcess, warmUpPerServer, latency);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Row> RunOnceAsync(
        LocalPostgres postgres, CountingStub stub, string folder, string schema, Plan plan, int tasks, int warmUpPerServer,
        int interval, int workersPerProcess, TimeSpan patience, double baselineMicros, Action<string> log)
    {
        Directory.CreateDirectory(folder);
        var settings = new TrackingHostSettings
        {
            Postgres = postgres.ConnectionString(),
            Schema = schema,
            StubUrl = stub.Url,
            ApiKey = Key,
            PollInterval = TimeSpan.FromMilliseconds(interval),
            Workers = 0,
        };

        // This process only tracks, as an application's front end would: its host has no Hangfire server.
        using var client = TrackingHost.Build(settings, services => services.AddSingleton<ITaskCompletionHandler, NoHandler>());
        await client.StartAsync().ConfigureAwait(false);
        var tracker = client.Services.GetRequiredService<ITaskTracker>();
        var workers = new List<Process>();
        try
        {
            for (var i = 0; i < plan.Servers; i++)
            {
                workers.Add(StartWorker(settings, Path.Combine(folder, $"worker-{i}.txt"), interval, workersPerProcess));
            }

            foreach (var worker in workers)
            {
                var ready = await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                if (ready != "ready")
                {
                    throw new InvalidOperationException($"A worker did not start: {ready}");
                }
            }

            var prefix = schema.Replace('_', '-');
            var warmUp = Track(tracker, prefix + "-warm", warmUpPerServer * plan.Servers);
            if (!await CompletedAsync(folder, warmUp, patience).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The servers did not complete their warm-up tasks.");
            }

            // Everything counts from here: the servers are warm, the measured tasks are tracked while they run.
            var sizeBefore = await SchemaBytesAsync(settings).ConfigureAwait(false);
            var statementsBefore = await StatementsAsync(settings).ConfigureAwait(false);
            var cpuBefore = workers.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.TotalProcessorTime);
            var jitBefore = await JitAsync(workers, log).ConfigureAwait(false);
            var pollsBefore = stub.Polls;
            var postgresBefore = PostgresCpu(postgres);
            var clock = Stopwatch.StartNew();
            var measured = Track(tracker, prefix, tasks);
            var trackPerSecond = tasks / clock.Elapsed.TotalSeconds;

            // A killed server's CPU and JIT count until its kill.
            var killedCpu = TimeSpan.Zero;
            var killedJit = (Time: TimeSpan.Zero, Methods: 0L);
            var halfWay = double.NaN;
            while (clock.Elapsed < patience)
            {
                var distinct = Distinct(ReadCalls(folder), measured);
                if (distinct >= tasks)
                {
                    break;
                }

                if (double.IsNaN(halfWay) && distinct >= tasks / 2)
                {
                    halfWay = clock.Elapsed.TotalSeconds;
                    if (plan.Kill)
                    {
                        killedJit = (await JitAsync([workers[0]], log).ConfigureAwait(false))[0];
                        killedCpu = workers[0].TotalProcessorTime;
                        workers[0].Kill(entireProcessTree: true);
                        log($"tracking: killed worker {workers[0].Id} at {distinct:N0} completed tasks");
                    }
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var polls = stub.Polls - pollsBefore;
            var postgresCpu = PostgresCpu(postgres) - postgresBefore;
            var live = workers.Where(w => !w.HasExited).ToList();
            var cpu = live.Aggregate(killedCpu, (sum, w) => sum + w.TotalProcessorTime) - cpuBefore;
            var jitAfter = (await JitAsync(live, log).ConfigureAwait(false)).Append(killedJit);
            var jit = (Time: jitAfter.Sum(j => j.Time.TotalMicroseconds) - jitBefore.Sum(j => j.Time.TotalMicroseconds), Methods: jitAfter.Sum(j => j.Methods) - jitBefore.Sum(j => j.Methods));
            var statementsAfter = await StatementsAsync(settings).ConfigureAwait(false);
            var statements = statementsAfter.Values.Sum(q => q.Calls) - statementsBefore.Values.Sum(q => q.Calls);
            LogStatements(statementsBefore, statementsAfter, tasks, log);
            await LogJobRowsAsync(settings, log).ConfigureAwait(false);

            // Late duplicates would show within a few seconds.
            await Task.Delay(3000).ConfigureAwait(false);

            // What the servers cost with nothing to do (Hangfire's heartbeats, schedulers, listeners): 5 s measured.
            var idleBefore = live.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.TotalProcessorTime);
            var postgresIdleBefore = PostgresCpu(postgres);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(5000).ConfigureAwait(false);
            var idlePerServerSecond = (live.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.TotalProcessorTime) - idleBefore).TotalMicroseconds
                / idleClock.Elapsed.TotalSeconds / live.Count;
            var postgresIdlePerSecond = (PostgresCpu(postgres) - postgresIdleBefore).TotalMicroseconds / idleClock.Elapsed.TotalSeconds;

            // The killed server ran until half-way.
            var serverSeconds = (seconds * live.Count) + (plan.Kill ? halfWay : 0);

            var calls = ReadCalls(folder).Where(c => measured.Contains(c.TrackingId)).ToList();
            var handled = Distinct(calls, measured);
            var sizeAfter = await SchemaBytesAsync(settings).ConfigureAwait(false);
            log($"tracking: {plan}: {handled:N0}/{tasks:N0} tasks in {seconds:0.0} s (half of them in {halfWay:0.0} s), {polls:N0} polls, {calls.Count - handled} duplicates");
            log(string.Create(CultureInfo.InvariantCulture, $"tracking: JIT while measured: {jit.Time / 1000:0} ms, {jit.Methods:N0} methods over {polls:N0} polls"));

            // Which server made each duplicate call, and where in its file: the promise allows one only from a server
            // that died between calling the handler and recording the call (the killed one, at the end of its file).
            foreach (var duplicate in calls.GroupBy(c => c.TrackingId).Where(g => g.Count() > 1))
            {
                log("tracking: duplicate " + duplicate.Key + ": " + string.Join(", ", duplicate.Select(c =>
                    $"{Path.GetFileNameWithoutExtension(c.File)}{(plan.Kill && c.File.EndsWith("worker-0.txt", StringComparison.Ordinal) ? " (killed)" : string.Empty)} line {c.Line} of {c.Lines}")));
            }

            return new Row(
                plan.ToString(), tasks, trackPerSecond, seconds, halfWay, polls, calls.Count, handled,
                cpu.TotalMicroseconds / Math.Max(1, polls),
                (cpu.TotalMicroseconds - (idlePerServerSecond * serverSeconds)) / Math.Max(1, polls),
                jit.Time / Math.Max(1, polls),
                jit.Methods * 1000.0 / Math.Max(1, polls),
                idlePerServerSecond,
                postgresCpu.TotalMicroseconds / Math.Max(1, polls),
                (postgresCpu.TotalMicroseconds - (postgresIdlePerSecond * seconds)) / Math.Max(1, polls),
                (double)(sizeAfter - sizeBefore) / tasks,
                (double)statements / tasks,
                baselineMicros);
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                }

                await worker.WaitForExitAsync().ConfigureAwait(false);
                worker.Dispose();
            }

            await client.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Tracks <paramref name="count"/> duomi tasks and returns their tracking ids.</summary>
    private static HashSet<string> Track(ITaskTracker tracker, string prefix, int count)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            ids.Add(tracker.Track(new TaskRef(Provider.Duomi, $"{prefix}-{i:D6}")));
        }

        return ids;
    }

    private static int Distinct(IEnumerable<(string TrackingId, string File, int Line, int Lines)> calls, HashSet<string> of) =>
        calls.Select(c => c.TrackingId).Where(of.Contains).Distinct().Count();

    private static async Task<bool> CompletedAsync(string folder, HashSet<string> ids, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (Distinct(ReadCalls(folder), ids) < ids.Count)
        {
            if (clock.Elapsed > patience)
            {
                return false;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>A plain GetAsync's CPU in a worker process (no Hangfire), against the same stub, on a final task.</summary>
    private static async Task<double> BaselineAsync(CountingStub stub, Action<string> log)
    {
        var start = WorkerStart("--baseline", "20000", "--stub", stub.Url.ToString(), "--key", Key, "--task", "duomi:" + CountingStub.BaselineTask);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the baseline.");
        stub.MarkFinal(CountingStub.BaselineTask);
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("cpu-us-per-call ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The baseline printed no result: {output}");
        log("tracking: baseline " + line);
        return double.Parse(line["cpu-us-per-call ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static Process StartWorker(TrackingHostSettings settings, string output, int interval, int workers) =>
        Process.Start(WorkerStart(
            "--postgres", settings.Postgres!, "--schema", settings.Schema, "--stub", settings.StubUrl.ToString(), "--key", Key,
            "--interval-ms", interval.ToString(CultureInfo.InvariantCulture), "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--out", output)) ?? throw new InvalidOperationException("Could not start a worker.");

    private static ProcessStartInfo WorkerStart(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AsyncTasks.Hangfire.Worker.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>The JIT's compile time and compiled methods so far in each worker (it answers a "jit" line).</summary>
    private static async Task<(TimeSpan Time, long Methods)[]> JitAsync(List<Process> workers, Action<string> log)
    {
        var result = new (TimeSpan, long)[workers.Count];
        for (var i = 0; i < workers.Count; i++)
        {
            await workers[i].StandardInput.WriteLineAsync("jit").ConfigureAwait(false);
            await workers[i].StandardInput.FlushAsync().ConfigureAwait(false);
            var line = await workers[i].StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            var parts = line?.Split(' ') ?? [];
            log($"tracking: worker {workers[i].Id}: {line}");
            if (parts is not ["jit", var micros, var methods, ..])
            {
                throw new InvalidOperationException($"A worker answered \"{line}\" to \"jit\".");
            }

            result[i] = (TimeSpan.FromMicroseconds(double.Parse(micros, CultureInfo.InvariantCulture)), long.Parse(methods, CultureInfo.InvariantCulture));
        }

        return result;
    }

    /// <summary>Every handler call in every worker's file: its tracking id, the file, its line and the file's line count.</summary>
    private static List<(string TrackingId, string File, int Line, int Lines)> ReadCalls(string folder) =>
        [.. Directory.GetFiles(folder).SelectMany(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();

            // Only whole lines: a worker may be writing the last one.
            var lines = text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Select((l, i) => (l.Split(' ')[0], file, i + 1, lines.Length));
        })];

    private static async Task<long> SchemaBytesAsync(TrackingHostSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "select coalesce(sum(pg_total_relation_size(format('%I.%I', table_schema, table_name))), 0)::bigint from information_schema.tables where table_schema = @schema",
            connection);
        command.Parameters.AddWithValue("schema", settings.Schema);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    /// <summary>
    /// Statements the database has run, by normalised text (pg_stat_statements, BEGIN and COMMIT included): about its
    /// round trips, and a count that, unlike CPU time, does not depend on how loaded the machine is.
    /// </summary>
    private static async Task<Dictionary<long, (string Query, long Calls)>> StatementsAsync(TrackingHostSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var create = new NpgsqlCommand("create extension if not exists pg_stat_statements", connection);
        await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand("select queryid, query, calls from pg_stat_statements where queryid is not null", connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var statements = new Dictionary<long, (string, long)>();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            var calls = reader.GetInt64(2) + (statements.TryGetValue(id, out var seen) ? seen.Item2 : 0);
            statements[id] = (reader.GetString(1), calls);
        }

        return statements;
    }

    /// <summary>Logs the statements run over the run, per task (its Track and its polls), by kind (the most frequent first).</summary>
    private static void LogStatements(
        Dictionary<long, (string Query, long Calls)> before, Dictionary<long, (string Query, long Calls)> after, int tasks, Action<string> log)
    {
        var rows = after
            .Select(q => (q.Value.Query, Calls: q.Value.Calls - (before.TryGetValue(q.Key, out var b) ? b.Calls : 0)))
            .Where(q => q.Calls > 0)
            .OrderByDescending(q => q.Calls)
            .ToList();
        log("tracking: statements per task (Track and three polls) by kind:");
        foreach (var (query, calls) in rows.Where(q => (double)q.Calls / tasks >= 0.05))
        {
            var text = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
            log(string.Create(CultureInfo.InvariantCulture, $"  {(double)calls / tasks,6:0.00}  {text[..Math.Min(text.Length, 150)]}"));
        }
    }

    /// <summary>Logs the Hangfire rows each job leaves: job parameters and state history, by name.</summary>
    private static async Task LogJobRowsAsync(TrackingHostSettings settings, Action<string> log)
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync().ConfigureAwait(false);
        var schema = settings.Schema;
        await using var command = new NpgsqlCommand(
            $"select 'parameter ' || name, count(*) from {schema}.jobparameter group by name " +
            $"union all select 'state ' || name, count(*) from {schema}.state group by name " +
            $"union all select 'jobs', count(*) from {schema}.job",
            connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var counts = new List<(string Name, long Count)>();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            counts.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        var jobs = Math.Max(1, counts.FirstOrDefault(c => c.Name == "jobs").Count);
        log($"tracking: {jobs:N0} jobs; rows per job: " + string.Join(", ", counts.Where(c => c.Name != "jobs").Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} {(double)c.Count / jobs:0.00}"))));
    }

    /// <summary>CPU of the PostgreSQL server: the postmaster (with its exited children) plus its live children, from /proc.</summary>
    private static TimeSpan PostgresCpu(LocalPostgres postgres)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(postgres.DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        double ticks = 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string[] fields;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            }
            catch (IOException)
            {
                continue;
            }

            // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (pid == postmaster)
            {
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)
                    + double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture);
            }
            else if (parent == postmaster)
            {
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private sealed class NoHandler : ITaskCompletionHandler
    {
        public Task HandleAsync(TaskCompletion completion, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// WireMock.Net in this process: each duomi task answers its spec's pending, running, then succeeded example on its
    /// first, second and later reads; the reads are counted.
    /// </summary>
    private sealed class CountingStub : IDisposable
    {
        public const string BaselineTask = "baseline-final";

        private readonly WireMockServer _server;
        private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
        private readonly byte[][] _bodies =
        [
            SpecExamples.ResponseBody("duomi.yaml", "pending"),
            SpecExamples.ResponseBody("duomi.yaml", "running"),
            SpecExamples.ResponseBody("duomi.yaml", "succeeded"),
        ];

        private long _polls;

        private CountingStub(WireMockServer server)
        {
            _server = server;
            Url = new Uri(server.Url! + "/");
        }

        public Uri Url { get; }

        public long Polls => Interlocked.Read(ref _polls);

        public static CountingStub Start(TimeSpan latency)
        {
            var server = WireMockServer.Start(new WireMockServerSettings
            {
                Urls = [$"http://127.0.0.1:{FreePort()}"],
                MaxRequestLogCount = 0,
            });
            var stub = new CountingStub(server);
            var response = Response.Create().WithCallback(stub.Answer);
            server.Given(Request.Create().UsingGet()).AtPriority(2).RespondWith(latency > TimeSpan.Zero ? response.WithDelay(latency) : response);

            // The baseline measures the client's CPU, not a wait: its task answers at once whatever the latency.
            server.Given(Request.Create().UsingGet().WithPath(new WildcardMatcher("*/" + BaselineTask))).AtPriority(1)
                .RespondWith(Response.Create().WithCallback(stub.Answer));
            return stub;
        }

        /// <summary>Makes a task answer succeeded from its first read (the baseline's task).</summary>
        public void MarkFinal(string id) => _reads[id] = 2;

        public void Dispose() => _server.Stop();

        private ResponseMessage Answer(IRequestMessage request)
        {
            Interlocked.Increment(ref _polls);
            var id = request.Path[(request.Path.LastIndexOf('/') + 1)..];
            var read = _reads.AddOrUpdate(id, 0, (_, n) => n + 1);
            return new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = new("application/json") },
                BodyData = new BodyData { BodyAsBytes = _bodies[Math.Min(read, 2)], DetectedBodyType = BodyType.Bytes },
            };
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
