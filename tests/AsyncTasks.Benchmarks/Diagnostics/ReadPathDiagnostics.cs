using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Benchmarks.Scenarios;
using AsyncTasks.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncTasks.Benchmarks.Diagnostics;

/// <summary>
/// Tools for finding where a read's cost goes, behind the figures of docs/benchmarks.md ("Where the facade's time
/// goes", "Why 8 KiB is out of reach"); they print, they do not judge:
/// <list type="bullet">
/// <item><c>diagnose handlers</c>: thread CPU and allocation per in-memory read through the generated client alone, with
/// each handler of the chain added on its own, with the whole chain, and through the facade.</item>
/// <item><c>diagnose allocations [facade|generated]</c>: which types one read allocates, from the runtime's allocation
/// sampling (an event every ~100 KB allocated) over 400,000 in-memory reads of mountsea's example.</item>
/// <item><c>diagnose poll [facade|generated] [seconds]</c>: 64 pollers over loopback against WireMock in its own process,
/// printing CPU and allocation per poll every 5 s and the process id, for <c>perf record -g -p</c> (run with
/// <c>DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0</c> so JIT-compiled frames resolve).</item>
/// </list>
/// </summary>
internal static class ReadPathDiagnostics
{
    private static readonly Uri InMemoryBase = new("http://127.0.0.1/");

    public static async Task<int> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["handlers"]:
                await HandlersAsync().ConfigureAwait(false);
                return 0;
            case ["allocations", .. var rest]:
                await AllocationsAsync(rest is [var client] ? client : "facade").ConfigureAwait(false);
                return 0;
            case ["poll", .. var rest]:
                await PollAsync(rest.Length > 0 ? rest[0] : "facade", rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 60).ConfigureAwait(false);
                return 0;
            default:
                Console.Error.WriteLine("usage: diagnose handlers | allocations [facade|generated] | poll [facade|generated] [seconds]");
                return 2;
        }
    }

    private static async Task HandlersAsync()
    {
        foreach (var name in new[] { "duomi", "mountsea" })
        {
            var @case = ProviderCase.Get(name);
            var options = ProviderCase.Options(InMemoryBase);
            var keys = OptionsValidation.KeyBindings(options);
            using var transport = new InMemoryHandler(@case.ExampleBody);
            using var facade = new TaskClient(options, transport: transport);
            DelegatingHandler[] Chain() => HttpPipeline.CreateHandlers(@case.Provider, keys, options, TimeProvider.System, NullLogger.Instance);

            // The generated client alone, with each handler of the chain on its own, with the whole chain.
            var chains = new List<(string Label, DelegatingHandler[] Handlers)> { ("generated", []) };
            chains.AddRange(Chain().Select((handler, index) => ("+" + handler.GetType().Name, new[] { Chain()[index] })));
            chains.Add(("all handlers", Chain()));
            var reads = new List<(string Label, Func<Task> Read)>();
            foreach (var (label, handlers) in chains)
            {
                var http = new HttpClient(HttpPipeline.Link(handlers, transport), disposeHandler: false) { BaseAddress = InMemoryBase };
                @case.AddKey(http);
                reads.Add((label, () => @case.Generated(http, @case.TaskId, CancellationToken.None)));
            }

            using var raw = @case.CreateRawClient(transport, InMemoryBase);
            reads.Add(("facade", () => facade.GetAsync(@case.Task)));
            reads.Add(("hand-written", () => @case.HandWritten(raw, @case.TaskId, CancellationToken.None)));
            foreach (var (label, read) in reads)
            {
                var (cpu, allocated) = await MeasureAsync(read).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-9} {label,-24} {cpu,8:0.00} µs {allocated / 1024,8:0.00} KiB"));
            }
        }
    }

    /// <summary>Thread CPU and bytes allocated per read: the best of five rounds of 20,000 reads, after 20,000 to warm up.</summary>
    private static async Task<(double CpuMicros, double Bytes)> MeasureAsync(Func<Task> read)
    {
        for (var i = 0; i < 20_000; i++)
        {
            await read().ConfigureAwait(false);
        }

        var best = double.MaxValue;
        var bytes = 0.0;
        for (var round = 0; round < 5; round++)
        {
            const int Reads = 20_000;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var cpu = ThreadCpuClock.Nanoseconds();
            for (var i = 0; i < Reads; i++)
            {
                // In memory every read completes synchronously, so the whole read ran on this thread.
                var pending = read();
                if (!pending.IsCompleted)
                {
                    throw new InvalidOperationException("An in-memory read did not complete synchronously: its CPU would be missed.");
                }

                await pending.ConfigureAwait(false);
            }

            best = Math.Min(best, (ThreadCpuClock.Nanoseconds() - cpu) / 1000.0 / Reads);
            bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Reads;
        }

        return (best, bytes);
    }

    private static async Task AllocationsAsync(string client)
    {
        var @case = ProviderCase.Get("mountsea");
        using var transport = new InMemoryHandler(@case.ExampleBody);
        using var facade = new TaskClient(ProviderCase.Options(InMemoryBase), transport: transport);
        using var raw = @case.CreateRawClient(transport, InMemoryBase);
        Func<Task> read = client == "generated" ? () => @case.Generated(raw, @case.TaskId, CancellationToken.None) : () => facade.GetAsync(@case.Task);
        for (var i = 0; i < 20_000; i++)
        {
            await read().ConfigureAwait(false);
        }

        using var sampler = new AllocationSampler();
        sampler.Enabled = true;
        for (var i = 0; i < 400_000; i++)
        {
            await read().ConfigureAwait(false);
        }

        sampler.Enabled = false;
        var total = Math.Max(1, sampler.Samples.Values.Sum());
        Console.WriteLine($"{client}: allocation samples by type, {total} samples over 400,000 reads of mountsea's example");
        foreach (var (type, count) in sampler.Samples.OrderByDescending(p => p.Value).Take(30))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count * 100.0 / total,6:0.0} %  {type}"));
        }
    }

    private static async Task PollAsync(string client, int seconds)
    {
        const int Pollers = 64;
        var duomi = ProviderCase.Get("duomi");
        using var wiremock = WireMockProcess.Start(containerThreads: Pollers + 36);
        await wiremock.StubJsonAsync("/api/gemini/nano-banana/.*", duomi.ExampleBody).ConfigureAwait(false);
        using var transport = CpuPerPollScenario.CreateTransport();
        using var generated = duomi.CreateRawClient(transport, wiremock.BaseUri);
        using var facade = new TaskClient(ProviderCase.Options(wiremock.BaseUri));
        var tasks = Enumerable.Range(0, Pollers).Select(i => new TaskRef(Provider.Duomi, $"poll-{i}")).ToArray();
        Func<int, Task> poll = client == "generated"
            ? i => duomi.Generated(generated, tasks[i].Id, CancellationToken.None)
            : i => facade.GetAsync(tasks[i]);
        long polls = 0;
        var stop = false;
        var loops = Enumerable.Range(0, Pollers).Select(i => Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                await poll(i).ConfigureAwait(false);
                Interlocked.Increment(ref polls);
            }
        })).ToArray();
        Console.WriteLine($"{client}: {Pollers} pollers, process {Environment.ProcessId}");
        for (var elapsed = 0; elapsed < seconds; elapsed += 5)
        {
            var polls0 = Interlocked.Read(ref polls);
            var cpu0 = Environment.CpuUsage.TotalTime;
            var allocated0 = GC.GetTotalAllocatedBytes();
            await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var count = Math.Max(1, Interlocked.Read(ref polls) - polls0);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{elapsed + 5,4} s  {count / 5,6} polls/s  {(Environment.CpuUsage.TotalTime - cpu0).TotalMicroseconds / count,7:0.0} µs CPU per poll  {(GC.GetTotalAllocatedBytes() - allocated0) / 1024.0 / count,6:0.00} KiB per poll"));
        }

        Volatile.Write(ref stop, true);
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    /// <summary>Counts the runtime's allocation samples (GCAllocationTick) by type while <see cref="Enabled"/>.</summary>
    private sealed class AllocationSampler : EventListener
    {
        public ConcurrentDictionary<string, long> Samples { get; } = new();

        public volatile bool Enabled;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (Enabled && eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true
                && eventData.PayloadNames?.IndexOf("TypeName") is >= 0 and var index)
            {
                Samples.AddOrUpdate(eventData.Payload?[index] as string ?? "?", 1, (_, count) => count + 1);
            }
        }
    }
}
