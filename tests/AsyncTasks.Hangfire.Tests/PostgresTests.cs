using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AsyncTasks.Hangfire.Tests;

/// <summary>What only a shared database gives: trackings that outlive their server, polls spread over processes, and what is stored.</summary>
[TestFixture]
public sealed class PostgresTests : StubFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ATrackingStartedByOneServerCompletesOnAnotherStartedAfterItStoppedWithTheHandlerCalledOnce()
    {
        // Arrange: three tasks that need five polls, about a second apart (Hangfire schedules to the second).
        var settings = TrackingHarness.SettingsFor("postgres", Stub, interval: TimeSpan.FromMilliseconds(100));
        var handler = new RecordingHandler();
        var flow = ProviderFlow.Of(Provider.Duomi);
        var ids = new List<string>();
        var first = await TrackingHarness.StartAsync(settings, handler);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var (task, unique) = flow.NewTask();
                Stub.Sequence(unique, [.. Enumerable.Repeat(flow.Example("running"), 4), flow.Example("succeeded")]);
                ids.Add(first.Tracker.Track(task));
            }

            foreach (var id in ids)
            {
                await first.WaitForStatusAsync(id, s => s.Attempts >= 1);
            }
        }
        finally
        {
            // Act: the first server stops mid-way; a second one starts on the same database.
            await first.DisposeAsync();
        }

        var callsWhileFirstRan = handler.Calls.Count;
        await using var second = await TrackingHarness.StartAsync(settings with { ServerName = "second" }, handler);
        await handler.WaitForAsync(3, Patience);
        foreach (var id in ids)
        {
            await second.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
        }

        await Task.Delay(1000);

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(callsWhileFirstRan, Is.Zero, "the first server stopped before any task was final");
            Assert.That(handler.Calls.Select(c => c.TrackingId), Is.EquivalentTo(ids), "each tracking's handler once");
            Assert.That(handler.Calls.Select(c => c.Snapshot?.State), Is.All.EqualTo(TaskState.Succeeded));
            Assert.That(handler.Calls.Select(c => c.Attempts), Is.All.EqualTo(5));
        }
    }

    [Test]
    public async Task ServerProcessesOnOneDatabaseShareThePollsAndCallEachTasksHandlerOnce()
    {
        // Arrange: two worker processes; this process only tracks (no Hangfire server of its own).
        var settings = TrackingHarness.SettingsFor("postgres", Stub, workers: 0);
        var folder = Directory.CreateTempSubdirectory("asynctasks-spread-").FullName;
        var workers = new List<Process>();
        try
        {
            await using (var schemaOwner = await TrackingHarness.StartAsync(settings))
            {
                // Creates the schema once, before two processes race to.
            }

            for (var i = 0; i < 2; i++)
            {
                workers.Add(StartWorker(settings, Path.Combine(folder, $"worker-{i}.txt")));
            }

            foreach (var worker in workers)
            {
                var line = await worker.StandardOutput.ReadLineAsync().WaitAsync(Patience);
                Assert.That(line, Is.EqualTo("ready"), "worker start");
            }

            await using var client = await TrackingHarness.StartAsync(settings);
            var ids = new List<string>();
            for (var i = 0; i < 30; i++)
            {
                var flow = ProviderFlow.All[i % ProviderFlow.All.Count];
                var (task, unique) = flow.NewTask();
                Stub.Sequence(unique, flow.Answers);
                ids.Add(client.Tracker.Track(task));
            }

            // Act
            var lines = await WaitForLinesAsync(folder, ids.Count);
            await Task.Delay(1000);
            lines = ReadLines(folder);

            // Assert
            var byId = lines.GroupBy(l => l.Split(' ')[0]).ToDictionary(g => g.Key, g => g.Count());
            var processes = lines.Select(l => l.Split(' ')[2]).Distinct().Count();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(byId.Keys, Is.EquivalentTo(ids));
                Assert.That(byId.Values, Is.All.EqualTo(1), "each task's handler once");
                Assert.That(lines.Select(l => l.Split(' ')[1]), Is.All.EqualTo("succeeded"));
                Assert.That(processes, Is.EqualTo(2), "both processes completed tasks");
            }
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
                worker.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task NeitherTheStorageNorTheLogsHoldTheKey()
    {
        // Arrange: a success, a 401, and a handler that throws once (Hangfire stores the failure).
        var logs = new CollectingLoggerProvider();
        var settings = TrackingHarness.SettingsFor("postgres", Stub);
        await using var harness = await TrackingHarness.StartAsync(settings, configure: services =>
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs)));
        var thrown = 0;
        harness.Handler.Behaviour = _ => Interlocked.Increment(ref thrown) == 1 ? throw new InvalidOperationException("handler down") : Task.CompletedTask;
        var flow = ProviderFlow.Of(Provider.Mountsea);
        var (done, doneUnique) = flow.NewTask();
        var (denied, deniedUnique) = flow.NewTask();
        Stub.Sequence(doneUnique, flow.Answers);
        Stub.Sequence(deniedUnique, flow.Example("unauthorized", 401));

        // Act
        var ids = new[] { harness.Tracker.Track(done, new TrackOptions { Tag = "order-1" }), harness.Tracker.Track(denied) };
        await harness.Handler.WaitForAsync(3, Patience);
        foreach (var id in ids)
        {
            await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
        }

        // Assert: every row of every Hangfire table, as text.
        var dump = await DumpSchemaAsync(settings);
        var logText = string.Join('\n', logs.Lines);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(dump, Does.Contain(done.ToString()).And.Contains("order-1").And.Contains("handler down"), "the dump holds the trackings");
            Assert.That(dump, Does.Not.Contain(Stub.ApiKey));
            Assert.That(dump, Does.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Stub.ApiKey))));
            Assert.That(logText, Does.Contain($"Tracking {ids[0]} of {done} completed: succeeded after 3 polls"));
            Assert.That(logText, Does.Contain("the completion handler threw System.InvalidOperationException"));
            Assert.That(logText, Does.Not.Contain(Stub.ApiKey));
            Assert.That(Stub.Headers("Authorization"), Is.Not.Empty.And.All.Contains(Stub.ApiKey), "the key went to the stub");
        }
    }

    [Test]
    public async Task APollThatIsNotFinalWritesOneHashRowAndTheEndThreeWithoutRewritingWhatNeverChanges()
    {
        // Arrange: a task read three times (running, running, succeeded). Hangfire.PostgreSql runs one statement per
        // hash field written (and one for the expiry), so the statements that write this schema's hash table count
        // the fields written; reads and Hangfire's expiration (DELETE) are not counted.
        var settings = TrackingHarness.SettingsFor("postgres", Stub, interval: TimeSpan.FromMilliseconds(100));
        await using var harness = await TrackingHarness.StartAsync(settings);
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("running"), flow.Example("running"), flow.Example("succeeded"));
        var before = await HashWritesAsync(settings);

        // Act
        var status = await TrackUntilCompletedAsync(harness, task, new TrackOptions { Tag = "order-7" });

        // Assert: Track writes all 7 fields; each of the two polls that are not final writes "poll"; the end writes
        // "state", "outcome" and "poll" and sets the expiry. Writing every field each time made it 10 + 4 + 4 + 10 + 1.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await HashWritesAsync(settings) - before, Is.EqualTo(7 + 1 + 1 + 3 + 1));
            Assert.That(status.Attempts, Is.EqualTo(3));
            Assert.That(status.Tag, Is.EqualTo("order-7"));
            Assert.That(status.Outcome, Is.EqualTo("succeeded"));
            Assert.That(status.Task, Is.EqualTo(task));
            Assert.That(harness.Handler.Calls.Single().Attempts, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task WithTheBusyServerSettingsATrackingsJobsStoreNoParametersAndNoHistoryCounters()
    {
        // Arrange: TrackingHost applies README's "Settings for a busy tracking server" (no CaptureCulture, no
        // StatisticsHistory filter: each wrote rows for every job, and CaptureCulture read two back before each run).
        var settings = TrackingHarness.SettingsFor("postgres", Stub, interval: TimeSpan.FromMilliseconds(100));
        await using var harness = await TrackingHarness.StartAsync(settings);
        var flow = ProviderFlow.Of(Provider.Duomi);
        var (task, unique) = flow.NewTask();
        Stub.Sequence(unique, flow.Example("running"), flow.Example("succeeded"));

        // Act
        await TrackUntilCompletedAsync(harness, task);

        // Assert
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            $"select (select count(*) from {settings.Schema}.job), (select count(*) from {settings.Schema}.jobparameter), " +
            $"(select count(*) from {settings.Schema}.counter where key like 'stats:succeeded:%') + (select count(*) from {settings.Schema}.aggregatedcounter where key like 'stats:succeeded:%')",
            connection);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reader.GetInt64(0), Is.EqualTo(2), "two poll jobs");
            Assert.That(reader.GetInt64(1), Is.Zero, "job parameters");
            Assert.That(reader.GetInt64(2), Is.Zero, "dated succeeded counters");
        }
    }

    /// <summary>Tracks <paramref name="task"/> and waits for its handler call and its completed status, then a little more.</summary>
    private static async Task<TrackingStatus> TrackUntilCompletedAsync(TrackingHarness harness, TaskRef task, TrackOptions? options = null)
    {
        var id = harness.Tracker.Track(task, options);
        await harness.Handler.WaitForAsync(1, Patience);
        var status = await harness.WaitForStatusAsync(id, s => s.State == TrackingState.Completed);
        await Task.Delay(500);
        return status;
    }

    /// <summary>Calls of the statements that insert or update rows of the schema's hash table (pg_stat_statements, preloaded by LocalPostgres).</summary>
    private static async Task<long> HashWritesAsync(Worker.TrackingHostSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("create extension if not exists pg_stat_statements", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using var count = new NpgsqlCommand(
            "select coalesce(sum(calls), 0)::bigint from pg_stat_statements where query like @table and (query ilike 'with%' or query ilike 'update%' or query ilike 'insert%')",
            connection);
        count.Parameters.AddWithValue("table", $"%\"{settings.Schema}\".\"hash\"%");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<string> DumpSchemaAsync(Worker.TrackingHostSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.Postgres);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = @schema", connection))
        {
            list.Parameters.AddWithValue("schema", settings.Schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"select coalesce(string_agg(t::text, E'\\n'), '') from {settings.Schema}.\"{table}\" t", connection);
            dump.AppendLine(table).AppendLine((string?)await rows.ExecuteScalarAsync());
        }

        return dump.ToString();
    }

    private static Process StartWorker(Worker.TrackingHostSettings settings, string output)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "AsyncTasks.Hangfire.Worker.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            worker, "--postgres", settings.Postgres!, "--schema", settings.Schema, "--stub", settings.StubUrl.ToString(),
            "--key", settings.ApiKey, "--interval-ms", "20", "--workers", "4", "--out", output,
        })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker.");
    }

    private static async Task<IReadOnlyList<string>> WaitForLinesAsync(string folder, int count)
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            var lines = ReadLines(folder);
            if (lines.Count >= count)
            {
                return lines;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"{lines.Count} handler calls within {Patience}; expected {count}.");
            }

            await Task.Delay(50);
        }
    }

    private static List<string> ReadLines(string folder) =>
        [.. Directory.GetFiles(folder).SelectMany(f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        })];
}
