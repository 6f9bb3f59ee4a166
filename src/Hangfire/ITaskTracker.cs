namespace AsyncTasks.Hangfire;

/// <summary>
/// Tracks tasks durably on Hangfire: each poll of a task is one Hangfire job, so a tracking survives restarts and
/// its polls spread over every Hangfire server on the same storage. When the task is final, timed out or failed for
/// good, the application's <see cref="ITaskCompletionHandler"/> is called.
/// </summary>
/// <remarks>Registered by <c>services.AddAsyncTasksTracking()</c>, next to the application's own <c>AddHangfire(...)</c>.</remarks>
public interface ITaskTracker
{
    /// <summary>Starts tracking <paramref name="task"/>: its first poll is enqueued now.</summary>
    /// <param name="task">The task.</param>
    /// <param name="options">Timeout and tag; defaults when <see langword="null"/>.</param>
    /// <returns>The tracking id: the key of <see cref="Cancel"/> and <see cref="GetStatusAsync"/>, and the idempotency key the handler gets.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The task's provider has no API key (or, for tencent-vod, no base URL) configured. Nothing is stored.</exception>
    string Track(TaskRef task, TrackOptions? options = null);

    /// <summary>Starts tracking the task written as <c>provider:id</c> (see <see cref="TaskRef.Parse"/>).</summary>
    /// <param name="task">The task reference's text form.</param>
    /// <param name="options">Timeout and tag; defaults when <see langword="null"/>.</param>
    /// <returns>The tracking id.</returns>
    /// <exception cref="FormatException">The text is not <c>provider:id</c> with a known provider. Nothing is stored.</exception>
    /// <exception cref="InvalidOperationException">The task's provider is not configured. Nothing is stored.</exception>
    string Track(string task, TrackOptions? options = null);

    /// <summary>Stops a tracking that is still polling: no further poll runs and the handler is not called.</summary>
    /// <param name="trackingId">The id <see cref="Track(TaskRef, TrackOptions?)"/> returned.</param>
    /// <returns><see langword="true"/> when the tracking was polling and is now cancelled; <see langword="false"/> when it is unknown, completed or already cancelled.</returns>
    bool Cancel(string trackingId);

    /// <summary>Where a tracking stands.</summary>
    /// <param name="trackingId">The id <see cref="Track(TaskRef, TrackOptions?)"/> returned.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The status, or <see langword="null"/> when the id is unknown (or its record has expired).</returns>
    Task<TrackingStatus?> GetStatusAsync(string trackingId, CancellationToken cancellationToken = default);
}

/// <summary>How one task is tracked.</summary>
public sealed class TrackOptions
{
    /// <summary>
    /// How long to poll in all before the handler is called with a <see cref="TaskWaitTimeoutException"/>. Default
    /// 30 minutes, like <see cref="WaitOptions.Timeout"/>.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The application's own text (an order id, say), stored as given and handed back to the handler.</summary>
    public string? Tag { get; set; }
}

/// <summary>Where a tracking stands.</summary>
public enum TrackingState
{
    /// <summary>Polls are scheduled; the handler has not yet returned.</summary>
    Polling,

    /// <summary>The handler was called and returned.</summary>
    Completed,

    /// <summary>Stopped by <see cref="ITaskTracker.Cancel"/>.</summary>
    Cancelled,
}

/// <summary>A tracking's recorded state, read from Hangfire's storage.</summary>
/// <param name="TrackingId">The tracking id.</param>
/// <param name="Task">The task tracked.</param>
/// <param name="Tag">The application's tag, if any.</param>
/// <param name="State">Polling, completed or cancelled.</param>
/// <param name="Attempts">Polls made so far.</param>
/// <param name="NextPollAt">When the next poll is due, while polling.</param>
/// <param name="Deadline">When the tracking times out.</param>
/// <param name="Outcome">
/// Once completed: the task's final state name (<c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>timed_out</c>),
/// or the error kind that ended tracking (<c>timeout</c> when the tracking's own timeout passed, <c>authentication</c>,
/// <c>not_found</c>, <c>protocol</c>, or <c>error</c> for any other exception).
/// </param>
public sealed record TrackingStatus(
    string TrackingId,
    TaskRef Task,
    string? Tag,
    TrackingState State,
    int Attempts,
    DateTimeOffset? NextPollAt,
    DateTimeOffset Deadline,
    string? Outcome);
