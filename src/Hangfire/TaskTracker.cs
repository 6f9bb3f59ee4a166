using global::Hangfire;

namespace AsyncTasks.Hangfire;

/// <summary>The <see cref="ITaskTracker"/> over Hangfire's storage and client.</summary>
internal sealed class TaskTracker : ITaskTracker
{
    private readonly TrackingRuntime _runtime;

    public TaskTracker(TrackingRuntime runtime) => _runtime = runtime;

    public string Track(string task, TrackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return Track(TaskRef.Parse(task), options);
    }

    public string Track(TaskRef task, TrackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        options ??= new TrackOptions();
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"TrackOptions.Timeout must be positive; it is {options.Timeout}.", nameof(options));
        }

        ThrowIfNotConfigured(task.Provider);

        var id = Guid.NewGuid().ToString("N");
        var now = _runtime.Time.GetUtcNow();
        var record = new TrackingRecord
        {
            Id = id,
            Task = task,
            Tag = options.Tag,
            State = TrackingState.Polling,
            Interval = PollBackoff.For(task.Provider, _runtime.Options).Initial,
            Timeout = options.Timeout,
            Deadline = now + options.Timeout,
            NextPollAt = now,
        };

        // The record before the job, so the job always finds it; if the job cannot be created, the record goes too.
        using var connection = _runtime.Storage.GetConnection();
        record.Create(connection);
        try
        {
            _runtime.Jobs.Create(TrackingJob.Poll(id, 0), new global::Hangfire.States.EnqueuedState());
        }
        catch
        {
            TrackingRecord.Delete(connection, id);
            throw;
        }

        TrackingTelemetry.Tracked.Add(1, new KeyValuePair<string, object?>("asynctasks.provider", task.Provider.GetName()));
        TrackingLog.Tracked(_runtime.Logger, id, task.ToString(), options.Timeout);
        return id;
    }

    public bool Cancel(string trackingId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trackingId);
        using var connection = _runtime.Storage.GetConnection();
        using var exclusive = connection.AcquireDistributedLock(TrackingRecord.LockResource(trackingId), TrackingRuntime.LockTimeout);
        var record = TrackingRecord.Read(connection, trackingId);
        if (record is not { State: TrackingState.Polling })
        {
            return false;
        }

        var job = record.NextJobId;
        record.State = TrackingState.Cancelled;
        record.Outcome = "cancelled";
        record.NextPollAt = null;
        record.NextJobId = null;
        record.End(connection, TrackingRuntime.Retention);

        // The record alone stops the chain (a poll job of a cancelled tracking does nothing); deleting the
        // scheduled job only spares it a run.
        if (job is not null)
        {
            _runtime.Jobs.Delete(job);
        }

        TrackingLog.Cancelled(_runtime.Logger, trackingId, record.Task.ToString());
        return true;
    }

    public Task<TrackingStatus?> GetStatusAsync(string trackingId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trackingId);
        cancellationToken.ThrowIfCancellationRequested();

        // Hangfire's storage API is synchronous.
        using var connection = _runtime.Storage.GetConnection();
        return Task.FromResult(TrackingRecord.Read(connection, trackingId)?.ToStatus());
    }

    /// <summary>Refuses a task whose provider cannot be read, before anything is stored (the poll would only fail).</summary>
    private void ThrowIfNotConfigured(Provider provider)
    {
        var settings = _runtime.Options.For(provider);
        var name = provider.GetName();
        if (!settings.HasApiKey)
        {
            throw new InvalidOperationException(
                $"{name}: no API key is configured (AsyncTasks options, provider {name}); the task was not tracked.");
        }

        if ((settings.BaseUrl ?? provider.GetDefaultBaseUrl()) is null)
        {
            throw new InvalidOperationException(
                $"{name}: no base URL is configured and the provider has no default; the task was not tracked.");
        }
    }
}
