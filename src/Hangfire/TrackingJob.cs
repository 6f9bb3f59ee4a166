using System.ComponentModel;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using global::Hangfire;
using global::Hangfire.Common;
using global::Hangfire.States;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncTasks.Hangfire;

/// <summary>
/// The Hangfire job behind <see cref="ITaskTracker"/>: one poll of one tracked task. Public only because Hangfire
/// stores and activates jobs by their type and method; applications do not call it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TrackingJob
{
    private static readonly MethodInfo PollMethod = typeof(TrackingJob).GetMethod(nameof(PollAsync))!;

    private readonly TrackingRuntime _runtime;
    private readonly IServiceScopeFactory _scopes;

    internal TrackingJob(TrackingRuntime runtime, IServiceScopeFactory scopes)
    {
        _runtime = runtime;
        _scopes = scopes;
    }

    /// <summary>
    /// Reads the task once. Not final: schedules the next poll with the wait's <see cref="PollBackoff"/>. Final, timed
    /// out or failed for good: under the tracking's distributed lock, calls the completion handler and records that it
    /// returned. A job whose poll number is not the tracking's next (a duplicate delivery) does nothing.
    /// </summary>
    /// <param name="trackingId">The tracking.</param>
    /// <param name="attempt">Polls made before this one.</param>
    /// <param name="cancellationToken">Hangfire's shutdown token.</param>
    /// <returns>A task that completes when the poll is recorded.</returns>
    [JobDisplayName("AsyncTasks: poll {1} of tracking {0}")]
    public async Task PollAsync(string trackingId, int attempt, CancellationToken cancellationToken)
    {
        // No lock here: it costs several database round trips, and a poll that is not final needs none. A duplicate
        // delivery running at the same time reads the task once more and schedules a poll that will find itself
        // stale; the handler call and every change of state take the lock (CompleteAsync, Cancel), and a poll
        // never writes the state (WritePoll), so a late one cannot reopen an ended tracking.
        using var connection = _runtime.Storage.GetConnection();
        var record = TrackingRecord.Read(connection, trackingId);
        if (!IsNext(record, trackingId, attempt))
        {
            return;
        }

        var task = record.Task;
        var provider = task.Provider.GetName();
        using var activity = TrackingTelemetry.ActivitySource.StartActivity("AsyncTasks.Track.Poll");
        activity?.SetTag("asynctasks.tracking_id", trackingId);
        activity?.SetTag("asynctasks.provider", provider);
        activity?.SetTag("asynctasks.task_id", task.Id);
        activity?.SetTag("asynctasks.attempt", attempt + 1);

        TaskSnapshot? snapshot = null;
        Exception? error = null;
        TimeSpan? retryAfter = null;
        string outcome;
        try
        {
            snapshot = await _runtime.Client.GetAsync(task, cancellationToken).ConfigureAwait(false);
            outcome = snapshot.State.GetName();
        }
        catch (TaskClientException exception) when (exception.IsTransient)
        {
            retryAfter = exception.RetryAfter;
            outcome = exception.Kind.GetName();
        }
        catch (Exception exception) when (exception is TaskClientException or ArgumentException or InvalidOperationException)
        {
            error = exception;
            outcome = exception is TaskClientException failure ? failure.Kind.GetName() : "error";
        }

        TrackingTelemetry.Polls.Add(1, new("asynctasks.provider", provider), new("asynctasks.outcome", outcome));
        activity?.SetTag("asynctasks.outcome", outcome);
        var attempts = attempt + 1;
        var now = _runtime.Time.GetUtcNow();
        if (error is null && snapshot is not { IsTerminal: true } && now >= record.Deadline)
        {
            error = new TaskWaitTimeoutException(task, record.Timeout, snapshot);
        }

        if (error is not null || snapshot is { IsTerminal: true })
        {
            await CompleteAsync(connection, trackingId, attempt, snapshot, error, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Not final: the same delays as WaitAsync, the last one cut to end at the deadline (where the tracking times out).
        var backoff = PollBackoff.For(task.Provider, _runtime.Options);
        var delay = backoff.Delay(record.Interval, retryAfter);
        if (now + delay > record.Deadline)
        {
            delay = record.Deadline - now;
        }

        // Hangfire keeps a scheduled job's time in whole seconds and runs it once that second has begun: rounded up,
        // a poll is never early (a Retry-After is honoured), at most a second late.
        var due = RoundUpToSecond(now + delay);

        // The next job first, then the record: a crash between the two leaves this job to be run again (it has not
        // succeeded), and the record still names this poll, so the chain goes on; the orphan next job, if it runs
        // first, polls and makes this one stale.
        var next = _runtime.Jobs.Create(Poll(trackingId, attempts), new ScheduledState(due.UtcDateTime));
        record.Attempts = attempts;
        record.Interval = backoff.Next(record.Interval);
        record.NextPollAt = due;
        record.NextJobId = next;
        record.WritePoll(connection);
        TrackingLog.Polled(_runtime.Logger, trackingId, attempts, task, outcome, due - now);
    }

    /// <summary>
    /// The job of poll <paramref name="attempt"/> of a tracking, built from the method itself: what
    /// <c>Schedule&lt;TrackingJob&gt;(job =&gt; job.PollAsync(...))</c> stores, without compiling and evaluating an
    /// expression tree for every poll.
    /// </summary>
    internal static Job Poll(string trackingId, int attempt) =>
        new(typeof(TrackingJob), PollMethod, trackingId, attempt, CancellationToken.None);

    private static DateTimeOffset RoundUpToSecond(DateTimeOffset time)
    {
        var remainder = time.UtcTicks % TimeSpan.TicksPerSecond;
        return remainder == 0 ? time : time.AddTicks(TimeSpan.TicksPerSecond - remainder);
    }

    /// <summary>Whether <paramref name="record"/> is a tracking still polling whose next poll is <paramref name="attempt"/>; logs why not.</summary>
    private bool IsNext([NotNullWhen(true)] TrackingRecord? record, string trackingId, int attempt)
    {
        if (record is { State: TrackingState.Polling } && record.Attempts == attempt)
        {
            return true;
        }

        TrackingLog.Skipped(_runtime.Logger, trackingId, attempt, record is null ? "unknown tracking" : record.State != TrackingState.Polling ? record.State.ToString() : "already polled");
        return false;
    }

    private async Task CompleteAsync(
        global::Hangfire.Storage.IStorageConnection connection,
        string trackingId,
        int attempt,
        TaskSnapshot? snapshot,
        Exception? error,
        CancellationToken cancellationToken)
    {
        // The lock makes the handler call exclusive; the record read again under it tells whether another delivery of
        // this poll, or Cancel, got there first.
        using var exclusive = connection.AcquireDistributedLock(TrackingRecord.LockResource(trackingId), TrackingRuntime.LockTimeout);
        var record = TrackingRecord.Read(connection, trackingId);
        if (!IsNext(record, trackingId, attempt))
        {
            return;
        }

        var attempts = attempt + 1;
        var completion = new TaskCompletion(record.Id, record.Task, record.Tag, attempts, error is null ? snapshot : null, error);
        var provider = record.Task.Provider.GetName();
        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var handler = scope.ServiceProvider.GetRequiredService<ITaskCompletionHandler>();
                await handler.HandleAsync(completion, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing is recorded: Hangfire's retry runs this job again (same poll number), which reads the task again.
            TrackingTelemetry.HandlerFailures.Add(1, new KeyValuePair<string, object?>("asynctasks.provider", provider));
            Activity.Current?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            TrackingLog.HandlerFailed(_runtime.Logger, record.Id, record.Task.ToString(), exception.GetType().FullName ?? exception.GetType().Name);
            throw;
        }

        record.State = TrackingState.Completed;
        record.Attempts = attempts;
        record.Outcome = completion.Outcome;
        record.NextPollAt = null;
        record.NextJobId = null;
        record.End(connection, TrackingRuntime.Retention);
        TrackingTelemetry.Completed.Add(1, new("asynctasks.provider", provider), new("asynctasks.outcome", completion.Outcome));
        TrackingLog.Completed(_runtime.Logger, record.Id, record.Task.ToString(), completion.Outcome, attempts);
    }
}
