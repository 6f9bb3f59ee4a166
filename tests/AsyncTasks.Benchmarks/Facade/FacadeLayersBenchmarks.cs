using AsyncTasks.Benchmarks.Infrastructure;
using AsyncTasks.Http;
using AsyncTasks.Providers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncTasks.Benchmarks.Facade;

/// <summary>
/// Where the facade's time goes (not a target, a diagnosis): the same read as <see cref="FacadeCostBenchmarks"/>,
/// peeled layer by layer. <c>Generated</c> is the raw NSwag client; <c>Adapter</c> is the provider adapter (the
/// facade's reader of the generated client and the mapping to a snapshot) on that same raw HttpClient;
/// <c>AdapterPipeline</c> adds the facade's handler chain (user agent, retry, redirect, key); <c>Facade</c> adds
/// <see cref="TaskClient"/> itself (argument checks, telemetry guards). Each difference is one layer's cost.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet disposes through [GlobalCleanup], not IDisposable.
public class FacadeLayersBenchmarks
#pragma warning restore CA1001
{
    private static readonly Uri BaseUrl = new("http://127.0.0.1/");

    private ProviderCase _case = null!;
    private TaskRef _task = null!;
    private ProviderAdapter _adapter = null!;
    private InMemoryHandler _handler = null!;
    private TaskClient _facade = null!;
    private HttpClient _raw = null!;
    private HttpClient _pipeline = null!;

    /// <summary>The provider's text name.</summary>
    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "duomi";

    public static IEnumerable<string> Providers => ProviderCase.Names;

    [GlobalSetup]
    public void Setup()
    {
        _case = ProviderCase.Get(Provider);
        _task = _case.Task;
        _adapter = ProviderRegistry.Get(_task.Provider);
        _handler = new InMemoryHandler(_case.ExampleBody);
        var options = ProviderCase.Options(BaseUrl);
        _facade = new TaskClient(options, transport: _handler);
        _raw = _case.CreateRawClient(_handler, BaseUrl);
        var handlers = HttpPipeline.CreateHandlers(
            _task.Provider, OptionsValidation.KeyBindings(options), options, TimeProvider.System, NullLogger.Instance);
        _pipeline = new HttpClient(HttpPipeline.Link(handlers, _handler), disposeHandler: false) { BaseAddress = BaseUrl };
        foreach (var state in new[] { Adapter().GetAwaiter().GetResult(), AdapterPipeline().GetAwaiter().GetResult(), Facade().GetAwaiter().GetResult() })
        {
            if (state.State != TaskState.Succeeded)
            {
                throw new InvalidOperationException($"{Provider}: read {state.State} from '{_case.ExampleName}'.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _facade.Dispose();
        _raw.Dispose();
        _pipeline.Dispose();
        _handler.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<object> Generated() => _case.Generated(_raw, _case.TaskId, CancellationToken.None);

    [Benchmark]
    public Task<TaskSnapshot> Adapter() => _adapter.GetAsync(_task, _raw, CancellationToken.None).AsTask();

    [Benchmark]
    public Task<TaskSnapshot> AdapterPipeline() => _adapter.GetAsync(_task, _pipeline, CancellationToken.None).AsTask();

    [Benchmark]
    public Task<TaskSnapshot> Facade() => _facade.GetAsync(_task);
}
