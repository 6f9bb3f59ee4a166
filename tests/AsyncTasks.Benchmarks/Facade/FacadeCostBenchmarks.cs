using AsyncTasks.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace AsyncTasks.Benchmarks.Facade;

/// <summary>
/// Benchmark 1, the cost of one read: a task per provider on an in-memory transport answering that provider's
/// documented example, through <see cref="TaskClient.GetAsync"/> (the whole handler chain, generated client, adapter
/// and snapshot), through the raw generated client alone, and through a hand-written HttpClient + System.Text.Json
/// reader into a minimal record (the practical floor, the baseline of the ratio).
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet disposes through [GlobalCleanup], not IDisposable.
public class FacadeCostBenchmarks
#pragma warning restore CA1001
{
    private static readonly Uri BaseUrl = new("http://127.0.0.1/");

    private ProviderCase _case = null!;
    private TaskRef _task = null!;
    private InMemoryHandler _handler = null!;
    private TaskClient _facade = null!;
    private HttpClient _raw = null!;

    /// <summary>The provider's text name.</summary>
    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "duomi";

    public static IEnumerable<string> Providers => ProviderCase.Names;

    [GlobalSetup]
    public void Setup()
    {
        _case = ProviderCase.Get(Provider);
        _task = _case.Task;
        _handler = new InMemoryHandler(_case.ExampleBody);
        _facade = new TaskClient(ProviderCase.Options(BaseUrl), transport: _handler);
        _raw = _case.CreateRawClient(_handler, BaseUrl);
        Verify();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _facade.Dispose();
        _raw.Dispose();
        _handler.Dispose();
    }

    [Benchmark]
    public Task<object> Generated() => _case.Generated(_raw, _case.TaskId, CancellationToken.None);

    [Benchmark]
    public Task<TaskSnapshot> Facade() => _facade.GetAsync(_task);

    /// <summary>The hand-written System.Text.Json reader: the reference of the ratio.</summary>
    [Benchmark(Baseline = true)]
    public Task<object> HandWritten() => _case.HandWritten(_raw, _case.TaskId, CancellationToken.None);

    /// <summary>Each path reads the example correctly and sends the key (else the numbers would mean nothing).</summary>
    private void Verify()
    {
        _handler.RecordKeyHeader = true;
        var snapshot = Facade().GetAwaiter().GetResult();
        if (snapshot.State != TaskState.Succeeded || snapshot.Outputs.Count == 0)
        {
            throw new InvalidOperationException($"{Provider}: the facade read {snapshot.State} with {snapshot.Outputs.Count} outputs from '{_case.ExampleName}'.");
        }

        if (_handler.LastKeyHeader?.Contains(ProviderCase.ApiKey, StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"{Provider}: the facade did not send the key.");
        }

        _ = Generated().GetAwaiter().GetResult();
        _ = HandWritten().GetAwaiter().GetResult() ?? throw new InvalidOperationException($"{Provider}: the hand-written reader read nothing.");
        if (_handler.LastKeyHeader?.Contains(ProviderCase.ApiKey, StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"{Provider}: the raw client did not send the key.");
        }

        _handler.RecordKeyHeader = false;
    }
}
