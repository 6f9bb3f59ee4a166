using global::Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncTasks.Hangfire;

/// <summary>What the tracker and its poll jobs share: Hangfire's storage and client, the tracker's own task client, the clock.</summary>
internal sealed class TrackingRuntime : IDisposable
{
    /// <summary>How long a completed or cancelled tracking's record stays readable by GetStatusAsync.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a final poll or Cancel waits for the tracking's lock (held by a final poll for the handler call, or by
    /// Cancel for a record write). A job that times out fails and is retried by Hangfire.
    /// </summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly TaskClient _client;

    public TrackingRuntime(
        JobStorage storage,
        IBackgroundJobClient jobs,
        IOptionsFactory<AsyncTasksOptions> optionsFactory,
        ILoggerFactory? loggerFactory,
        TimeProvider time)
    {
        Storage = storage;
        Jobs = jobs;
        Time = time;
        Logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<ITaskTracker>();

        // The application's AsyncTasks options, as a fresh instance, with request retries off: a poll job then makes
        // exactly one HTTP request and never sleeps in a Hangfire worker between retries; a transient failure ends
        // the job and the next poll is scheduled with the wait's backoff (and the provider's Retry-After) instead.
        Options = optionsFactory.Create(Microsoft.Extensions.Options.Options.DefaultName);
        Options.Retry.MaxRetries = 0;
        _client = new TaskClient(Options, loggerFactory, time);
    }

    public JobStorage Storage { get; }

    public IBackgroundJobClient Jobs { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public AsyncTasksOptions Options { get; }

    public ITaskClient Client => _client;

    public void Dispose() => _client.Dispose();
}
