using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Hangfire;
using AsyncTasks.Hangfire.Worker;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WireMock;
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
        long Polls,
        int HandlerCalls,
        int Distinct,
        double WorkerCpuPerPollMicros,
        double WorkerBusyCpuPerPollMicros,
        double IdleCpuPerServerSecondMicros,
        double PostgresCpuPerPollMicros,
        double PostgresBusyCpuPerPollMicros,
        double BytesPerTask,
        double WarmBusyCpuPerPollMicros,
        double StatementsPerPoll)
    {
        public int Lost => Tasks - Distinct;

        public int Duplicates => HandlerCalls - Distinct;
    }

    public sealed record Result(IReadOnlyList<Row> Rows, double BaselineMicros, int IntervalMs, int WorkersPerProcess);

    private const string Key = "bench-tracking-key-0123";

    /// <summary>One run per entry of <paramref name="servers"/>; a run with four or more servers kills one half-way.</summary>
    public static async Task<Result> RunAsync(int tasks, IReadOnlyList<int> servers, TimeSpan patience, Action<string> log)
    {
        const int interval = 1000;
        const int workersPerProcess = 10;
        using var postgres = LocalPostgres.Start();
        using var stub = CountingStub.Start();
        var folder = Directory.CreateTempSubdirectory("asynctasks-tracking-bench-").FullName;
        try
        {
            var baseline = await BaselineAsync(stub, log).ConfigureAwait(false);
            var rows = new List<Row>();
            foreach (var count in servers)
            {
                var kill = count >= 4;
                var run = count + (count == 1 ? " server" : " servers") + (kill ? ", one killed half-way" : string.Empty);
                log($"tracking: {run}, {tasks:N0} tasks");
                rows.Add(await RunOnceAsync(postgres, stub, Path.Combine(folder, $"run-{count}"), run, tasks, count, kill, interval, workersPerProcess, patience, log).ConfigureAwait(false));
            }

            return new Result(rows, baseline, interval, workersPerProcess);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Row> RunOnceAsync(
        LocalPostgres postgres, CountingStub stub, string folder, string run, int tasks, int servers, bool kill,
        int interval, int workersPerProcess, TimeSpan patience, Action<string> log)
    {
        Directory.CreateDirectory(folder);
        var settings = new TrackingHostSettings
        {
            Postgres = postgres.ConnectionString(),
            Schema = "bench_" + servers,
            StubUrl = stub.Url,
            ApiKey = Key,
            PollInterval = TimeSpan.FromMilliseconds(interval),
            Workers = 0,
        };

        // This process only tracks: its host has no Hangfire server.
        using var client = TrackingHost.Build(settings, services => services.AddSingleton<ITaskCompletionHandler, NoHandler>());
        await client.StartAsync().ConfigureAwait(false);
        var tracker = client.Services.GetRequiredService<ITaskTracker>();
        var sizeBefore = await SchemaBytesAsync(settings).ConfigureAwait(false);
        var tracking = Stopwatch.StartNew();
        for (var i = 0; i < tasks; i++)
        {
            tracker.Track(new TaskRef(Provider.Duomi, $"{servers}-{i:D6}"));
        }

        var trackPerSecond = tasks / tracking.Elapsed.TotalSeconds;
        await client.StopAsync().ConfigureAwait(false);

        var workers = new List<Process>();
        var cpu = TimeSpan.Zero;
        try
        {
            for (var i = 0; i < servers; i++)
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

            // Start-up (JIT, schema checks) is not the tracking's cost per poll: CPU counts from here.
            foreach (var worker in workers)
            {
                cpu -= worker.TotalProcessorTime;
            }

            var startCpu = -cpu;
            var statementsBefore = await StatementsAsync(settings).ConfigureAwait(false);
            var pollsBefore = stub.Polls;
            var postgresBefore = PostgresCpu(postgres);
            var clock = Stopwatch.StartNew();
            var killed = !kill;
            var killedAt = double.NaN;
            var distinct = 0;

            // The warm window starts once a quarter of the tasks are done: by then each server has compiled its poll
            // path (tiered JIT), whose CPU otherwise dominates a short run's figure and says nothing of a long-lived server.
            (TimeSpan Cpu, long Polls, double At)? warm = null;
            while (clock.Elapsed < patience)
            {
                distinct = ReadCalls(folder).Distinct().Count();
                if (distinct >= tasks)
                {
                    break;
                }

                if (warm is null && distinct >= tasks / 4)
                {
                    warm = (workers.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.TotalProcessorTime), stub.Polls, clock.Elapsed.TotalSeconds);
                }

                if (!killed && distinct >= tasks / 2)
                {
                    killed = true;
                    killedAt = clock.Elapsed.TotalSeconds;
                    cpu += workers[0].TotalProcessorTime;
                    workers[0].Kill(entireProcessTree: true);
                    log($"tracking: killed worker {workers[0].Id} at {distinct:N0} completed tasks");
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var polls = stub.Polls - pollsBefore;
            var warmPolls = stub.Polls - (warm?.Polls ?? pollsBefore);
            var postgresCpu = PostgresCpu(postgres) - postgresBefore;
            var statementsAfter = await StatementsAsync(settings).ConfigureAwait(false);
            var statements = statementsAfter.Values.Sum(q => q.Calls) - statementsBefore.Values.Sum(q => q.Calls);
            LogStatements(statementsBefore, statementsAfter, polls, log);
            await LogJobRowsAsync(settings, log).ConfigureAwait(false);

            foreach (var worker in workers.Where(w => !w.HasExited))
            {
                cpu += worker.TotalProcessorTime;
            }

            // Late duplicates would show within a few seconds.
            await Task.Delay(3000).ConfigureAwait(false);

            // What the servers cost with nothing to do (Hangfire's heartbeats, schedulers, listeners): 5 s measured.
            var live = workers.Where(w => !w.HasExited).ToList();
            var idleBefore = live.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.TotalProcessorTime);
            var postgresIdleBefore = PostgresCpu(postgres);
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(5000).ConfigureAwait(false);
            var idlePerServerSecond = (live.Aggregate(TimeSpan.Zero, (sum, w) => sum + w.TotalProcessorTime) - idleBefore).TotalMicroseconds
                / idleClock.Elapsed.TotalSeconds / live.Count;
            var postgresIdlePerSecond = (PostgresCpu(postgres) - postgresIdleBefore).TotalMicroseconds / idleClock.Elapsed.TotalSeconds;

            // The killed server ran for about half the window.
            var serverSeconds = seconds * (kill ? servers - 0.5 : servers);
            var warmAt = warm?.At ?? 0;
            var warmServerSeconds = ((seconds - warmAt) * servers) - (double.IsNaN(killedAt) ? 0 : seconds - Math.Max(warmAt, killedAt));
            var warmCpu = cpu + (warm is null ? TimeSpan.Zero : startCpu - warm.Value.Cpu);

            var calls = ReadCalls(folder);
            distinct = calls.Distinct().Count();
            var sizeAfter = await SchemaBytesAsync(settings).ConfigureAwait(false);
            log($"tracking: {run}: {distinct:N0}/{tasks:N0} tasks in {seconds:0.0} s, {polls:N0} polls, {calls.Count - distinct} duplicates");
            return new Row(
                run, tasks, trackPerSecond, seconds, polls, calls.Count, distinct,
                cpu.TotalMicroseconds / Math.Max(1, polls),
                (cpu.TotalMicroseconds - (idlePerServerSecond * serverSeconds)) / Math.Max(1, polls),
                idlePerServerSecond,
                postgresCpu.TotalMicroseconds / Math.Max(1, polls),
                (postgresCpu.TotalMicroseconds - (postgresIdlePerSecond * seconds)) / Math.Max(1, polls),
                (double)(sizeAfter - sizeBefore) / tasks,
                (warmCpu.TotalMicroseconds - (idlePerServerSecond * warmServerSeconds)) / Math.Max(1, warmPolls),
                (double)statements / Math.Max(1, polls));
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
        }
    }

    /// <summary>A plain GetAsync's CPU in a worker process (no Hangfire), against the same stub, on a final task.</summary>
    private static async Task<double> BaselineAsync(CountingStub stub, Action<string> log)
    {
        var start = WorkerStart("--baseline", "20000", "--stub", stub.Url.ToString(), "--key", Key, "--task", "duomi:baseline-final");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the baseline.");
        stub.MarkFinal("baseline-final");
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

    /// <summary>The tracking id of every handler call, from every worker's file.</summary>
    private static List<string> ReadCalls(string folder) =>
        [.. Directory.GetFiles(folder).SelectMany(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();

            // Only whole lines: a worker may be writing the last one.
            return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]);
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

    /// <summary>Logs the statements run over the run, per poll, by kind (the most frequent first).</summary>
    private static void LogStatements(
        Dictionary<long, (string Query, long Calls)> before, Dictionary<long, (string Query, long Calls)> after, long polls, Action<string> log)
    {
        var rows = after
            .Select(q => (q.Value.Query, Calls: q.Value.Calls - (before.TryGetValue(q.Key, out var b) ? b.Calls : 0)))
            .Where(q => q.Calls > 0)
            .OrderByDescending(q => q.Calls)
            .ToList();
        log("tracking: statements per poll by kind:");
        foreach (var (query, calls) in rows.Where(q => (double)q.Calls / Math.Max(1, polls) >= 0.05))
        {
            var text = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
            log(string.Create(CultureInfo.InvariantCulture, $"  {(double)calls / Math.Max(1, polls),6:0.00}  {text[..Math.Min(text.Length, 150)]}"));
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

        public static CountingStub Start()
        {
            var server = WireMockServer.Start(new WireMockServerSettings
            {
                Urls = [$"http://127.0.0.1:{FreePort()}"],
                MaxRequestLogCount = 0,
            });
            var stub = new CountingStub(server);
            server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithCallback(stub.Answer));
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
