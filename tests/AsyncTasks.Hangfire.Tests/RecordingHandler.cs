using System.Collections.Concurrent;

namespace AsyncTasks.Hangfire.Tests;

/// <summary>The application's handler in the tests: records every call, counts overlapping calls, can be told to throw or to be slow.</summary>
internal sealed class RecordingHandler : ITaskCompletionHandler
{
    private int _active;
    private int _maxActive;

    public ConcurrentQueue<TaskCompletion> Calls { get; } = new();

    /// <summary>Runs inside each call, after it is recorded; may throw or wait.</summary>
    public Func<TaskCompletion, Task>? Behaviour { get; set; }

    /// <summary>The most calls that were running at one time.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxActive);

    public async Task HandleAsync(TaskCompletion completion, CancellationToken cancellationToken)
    {
        var active = Interlocked.Increment(ref _active);
        int seen;
        while (active > (seen = Volatile.Read(ref _maxActive)) && Interlocked.CompareExchange(ref _maxActive, active, seen) != seen)
        {
        }

        try
        {
            Calls.Enqueue(completion);
            if (Behaviour is { } behaviour)
            {
                await behaviour(completion).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    public IReadOnlyList<TaskCompletion> For(string trackingId) => [.. Calls.Where(c => c.TrackingId == trackingId)];

    /// <summary>Waits until <paramref name="count"/> calls were made, failing after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<TaskCompletion>> WaitForAsync(int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Calls.Count < count)
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"The handler was called {Calls.Count} times within {timeout}; expected {count}.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return [.. Calls];
    }
}
