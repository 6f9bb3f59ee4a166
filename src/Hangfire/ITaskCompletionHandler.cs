namespace AsyncTasks.Hangfire;

/// <summary>
/// The application's code that runs when a tracked task ends. Resolved from dependency injection in a scope of its
/// own for each call.
/// </summary>
/// <remarks>
/// Called at least once per tracked task and never twice for the same task at the same time; once a call has
/// returned and been recorded, it is not called again. A duplicate can come only from a process that dies between
/// those two points, so use <see cref="TaskCompletion.TrackingId"/> as the idempotency key. A handler that throws is
/// retried by Hangfire's own retry (its <c>AutomaticRetry</c> filter).
/// </remarks>
public interface ITaskCompletionHandler
{
    /// <summary>Handles the end of a tracked task.</summary>
    /// <param name="completion">The task, its final snapshot or the error that ended tracking, and the tag.</param>
    /// <param name="cancellationToken">Signalled when the Hangfire server shuts down.</param>
    /// <returns>A task that completes when the end is handled.</returns>
    Task HandleAsync(TaskCompletion completion, CancellationToken cancellationToken);
}

/// <summary>How a tracked task ended: exactly one of <see cref="Snapshot"/> and <see cref="Error"/> is set.</summary>
public sealed class TaskCompletion
{
    internal TaskCompletion(string trackingId, TaskRef task, string? tag, int attempts, TaskSnapshot? snapshot, Exception? error)
    {
        TrackingId = trackingId;
        Task = task;
        Tag = tag;
        Attempts = attempts;
        Snapshot = snapshot;
        Error = error;
    }

    /// <summary>The tracking id <see cref="ITaskTracker.Track(TaskRef, TrackOptions?)"/> returned: the idempotency key.</summary>
    public string TrackingId { get; }

    /// <summary>The task.</summary>
    public TaskRef Task { get; }

    /// <summary>The tag given to <see cref="ITaskTracker.Track(TaskRef, TrackOptions?)"/>, if any.</summary>
    public string? Tag { get; }

    /// <summary>Polls made, this one included.</summary>
    public int Attempts { get; }

    /// <summary>The final snapshot (succeeded, failed, cancelled or timed out at the provider), when the task reached one.</summary>
    public TaskSnapshot? Snapshot { get; }

    /// <summary>
    /// What ended tracking otherwise: a <see cref="TaskWaitTimeoutException"/> when the tracking's timeout passed, a
    /// <see cref="TaskClientException"/> that is not transient (authentication, not found, protocol), or an argument
    /// error of the client (a task id the provider cannot take).
    /// </summary>
    public Exception? Error { get; }

    /// <summary>The outcome's name, as <see cref="TrackingStatus.Outcome"/> records it.</summary>
    public string Outcome => Snapshot is not null
        ? Snapshot.State.GetName()
        : Error is TaskClientException failure ? failure.Kind.GetName() : "error";
}
