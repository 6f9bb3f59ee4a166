using System.Text;
using AsyncTasks.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace AsyncTasks.Benchmarks.Facade;

/// <summary>
/// Benchmark 1b, cost linear in the answer: one Mountsea answer listing <see cref="Outputs"/> image URLs (every tenth
/// a repeat, which is dropped), read through <see cref="TaskClient.GetAsync"/> on an in-memory transport. The time per
/// output stays flat from 20,000 to 200,000 outputs when every step is linear.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet disposes through [GlobalCleanup], not IDisposable.
public class ManyOutputsBenchmarks
#pragma warning restore CA1001
{
    private static readonly Uri BaseUrl = new("http://127.0.0.1/");
    private TaskClient _client = null!;
    private InMemoryHandler _handler = null!;
    private TaskRef _task = null!;

    /// <summary>How many URLs the answer lists.</summary>
    [Params(20_000, 200_000)]
    public int Outputs { get; set; }

    /// <summary>Distinct URLs among <see cref="Outputs"/>: every tenth repeats the one before.</summary>
    public int Distinct => Outputs - (Outputs / 10);

    [GlobalSetup]
    public void Setup()
    {
        var body = new StringBuilder("""{"taskId":"t-1","status":"completed","result":{"imageUrls":[""");
        for (var i = 0; i < Outputs; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("\"https://cdn.example.com/").Append(i % 10 == 9 ? i - 1 : i).Append(".png\"");
        }

        body.Append("]}}");
        _handler = new InMemoryHandler(Encoding.UTF8.GetBytes(body.ToString()));
        var options = ProviderCase.Options(BaseUrl);
        options.Answers.MaxOutputs = Outputs;
        _client = new TaskClient(options, transport: _handler);
        _task = new TaskRef(Provider.Mountsea, "t-1");
        var snapshot = Read().GetAwaiter().GetResult();
        if (snapshot.Outputs.Count != Distinct)
        {
            throw new InvalidOperationException($"read {snapshot.Outputs.Count} outputs, expected {Distinct}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _handler.Dispose();
    }

    [Benchmark]
    public Task<TaskSnapshot> Read() => _client.GetAsync(_task);
}
