using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AsyncTasks.Diagnostics;

/// <summary>The ActivitySource and Meter named <c>AsyncTasks</c>, and their instruments.</summary>
internal static class AsyncTasksTelemetry
{
    public const string Name = "AsyncTasks";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(AsyncTasksTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(AsyncTasksTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Reads of a task, tagged with provider and outcome (a state name or an error kind).</summary>
    public static readonly Counter<long> Polls = Meter.CreateCounter<long>("asynctasks.polls", "{poll}", "Task reads, by provider and outcome.");

    /// <summary>How long a read took, in seconds.</summary>
    public static readonly Histogram<double> PollDuration = Meter.CreateHistogram<double>("asynctasks.poll.duration", "s", "Duration of task reads.");

    /// <summary>Finished waits, tagged with provider and outcome.</summary>
    public static readonly Counter<long> Waits = Meter.CreateCounter<long>("asynctasks.waits", "{wait}", "Finished waits, by provider and outcome.");

    /// <summary>Retried HTTP requests.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("asynctasks.retries", "{retry}", "Retried HTTP requests, by provider.");
}
