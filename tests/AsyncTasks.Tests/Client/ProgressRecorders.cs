namespace AsyncTasks.Tests.Client;

/// <summary>Records reports synchronously (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
internal sealed class RecordingProgress : IProgress<TaskSnapshot>
{
    private readonly List<TaskSnapshot> _reports = [];

    public IReadOnlyList<TaskSnapshot> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(TaskSnapshot value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}

/// <summary>A progress handler that fails on every report.</summary>
internal sealed class ThrowingProgress : IProgress<TaskSnapshot>
{
    public void Report(TaskSnapshot value) => throw new InvalidOperationException("progress handler failed");
}
