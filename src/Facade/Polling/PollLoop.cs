using System.Threading.Channels;
using AsyncTasks.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Polling;

/// <summary>
/// One poll loop per task per client, shared by every concurrent waiter and watcher of that task. It polls at
/// once, then after growing, jittered delays on the client's <see cref="TimeProvider"/>; it ends when the task
/// is final, a non-transient error occurs, or its last waiter leaves (timeout or cancellation).
/// </summary>
/// <remarks>
/// Waiter deadlines are checked by the loop itself, against the same clock as its delays, so a wait's timeout
/// is exact under a fake clock: the loop's sleep ends at the earliest deadline (a waiter joining with an earlier one
/// wakes it). A poll carries the earliest deadline too: the retry handler does not sleep past it (see
/// <see cref="WaitDeadline"/>), and the poll is cancelled when it is still in flight at that moment (a slow answer,
/// a retry's sleep), so a wait ends at its timeout whatever the gateway does.
/// </remarks>
#pragma warning disable CA1001 // _stop is disposed when RunAsync ends; the loop has no other owner to dispose it.
internal sealed class PollLoop
#pragma warning restore CA1001
{
    private readonly TaskRef _task;
    private readonly Func<TaskRef, CancellationToken, Task<TaskSnapshot>> _poll;
    private readonly PollBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<PollLoop> _onClosed;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Waiter> _waiters = [];
    private readonly object _gate = new();
    private bool _closed;
    private TaskSnapshot? _last;

    // The current sleep between polls and when it ends: a waiter joining with an earlier deadline cuts it short.
    private CancellationTokenSource? _nap;
    private DateTimeOffset _napUntil;

    public PollLoop(
        TaskRef task,
        Func<TaskRef, CancellationToken, Task<TaskSnapshot>> poll,
        PollBackoff backoff,
        TimeProvider time,
        ILogger logger,
        Action<PollLoop> onClosed)
    {
        _task = task;
        _poll = poll;
        _backoff = backoff;
        _time = time;
        _logger = logger;
        _onClosed = onClosed;
    }

    public TaskRef Task => _task;

    /// <summary>Adds a waiter; <see langword="false"/> when the loop has already closed (the caller starts a new one).</summary>
    public bool TryJoin(Waiter waiter, bool start)
    {
        CancellationTokenSource? wake = null;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            waiter.Deadline = _time.GetUtcNow() + waiter.Timeout;
            _waiters.Add(waiter);

            // Under the lock, so the loop cannot publish a newer snapshot before this one.
            if (_last is not null)
            {
                waiter.Publish(_last);
            }

            // The loop sleeps until its next poll or the earliest deadline it knew of: wake it for this one.
            if (_nap is not null && waiter.Deadline < _napUntil)
            {
                wake = _nap;
            }
        }

        if (wake is not null)
        {
            try
            {
                _ = wake.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The sleep already ended; the loop will see the new deadline anyway.
            }
        }

        waiter.Registration = waiter.CancellationToken.Register(
            static state =>
            {
                var (loop, w) = ((PollLoop, Waiter))state!;
                loop.Leave(w, () => w.Cancel());
            },
            (this, waiter));

        if (start)
        {
            _ = RunAsync();
        }

        return true;
    }

    private void Leave(Waiter waiter, Action complete)
    {
        bool empty;
        lock (_gate)
        {
            if (!_waiters.Remove(waiter))
            {
                return;
            }

            empty = _waiters.Count == 0;
            if (empty)
            {
                _closed = true;
            }
        }

        complete();
        if (empty)
        {
            Close();
        }
    }

    /// <summary>Ends the loop now, failing every waiter with <paramref name="exception"/> (the client was disposed).</summary>
    public void Abort(Exception exception)
    {
        FailAll(exception);
        Close();
    }

    private void Close()
    {
        _onClosed(this);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    private async Task RunAsync()
    {
        var interval = _backoff.Initial;
        try
        {
            while (true)
            {
                TimeSpan? retryAfter = null;
                TaskClientException? transient = null;
                var deadline = EarliestDeadline();
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                try
                {
                    // A deadline beyond what a timer takes (about 24 days) is looked at again at the next poll.
                    if (deadline is { } until && CeilingMilliseconds(until - _time.GetUtcNow()) is var left && left.TotalMilliseconds <= int.MaxValue)
                    {
                        poll.CancelAfter(left);
                    }

                    WaitDeadline.Set(deadline);
                    var snapshot = await _poll(_task, poll.Token).ConfigureAwait(false);
                    if (Publish(snapshot))
                    {
                        return;
                    }
                }
                catch (TaskClientException exception) when (exception.IsTransient)
                {
                    retryAfter = exception.RetryAfter;
                    transient = exception;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException) when (poll.IsCancellationRequested && deadline is { } passed)
                {
                    // The earliest deadline passed with the poll in flight: those waiters end now; the others go on.
                    var now = _time.GetUtcNow();
                    if (ExpireWaiters(now > passed ? now : passed) is null)
                    {
                        return;
                    }
                }
                catch (Exception exception)
                {
                    FailAll(exception);
                    return;
                }

                var delay = _backoff.Delay(interval, retryAfter);
                interval = _backoff.Next(interval);

                if (transient is not null)
                {
                    Log.PollFailedTransiently(_logger, _task.ToString(), transient.Kind, transient.HttpStatus, delay);
                }

                if (!await SleepUntilAsync(_time.GetUtcNow() + delay).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Every waiter left.
        }
        finally
        {
            lock (_gate)
            {
                _closed = true;
            }

            _onClosed(this);
            _stop.Dispose();
        }
    }

    /// <summary>
    /// Sleeps until <paramref name="pollAt"/>, waking at each waiter's deadline on the way to time it out (also the
    /// deadline of a waiter that joins meanwhile). Returns <see langword="false"/> when no waiter is left.
    /// </summary>
    private async Task<bool> SleepUntilAsync(DateTimeOffset pollAt)
    {
        while (true)
        {
            var now = _time.GetUtcNow();
            if (ExpireWaiters(now) is null)
            {
                return false;
            }

            if (now >= pollAt)
            {
                return true;
            }

            using var nap = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            TimeSpan until;
            lock (_gate)
            {
                // Under the lock that TryJoin takes: a waiter that joined since ExpireWaiters is counted here, and
                // one that joins later sees _nap and wakes it.
                var wakeAt = pollAt;
                foreach (var waiter in _waiters)
                {
                    if (waiter.Deadline < wakeAt)
                    {
                        wakeAt = waiter.Deadline;
                    }
                }

                until = CeilingMilliseconds(wakeAt - now);
                if (until > TimeSpan.Zero)
                {
                    _nap = nap;
                    _napUntil = now + until;
                }
            }

            if (until <= TimeSpan.Zero)
            {
                continue;
            }

            try
            {
                await System.Threading.Tasks.Task.Delay(until, _time, nap.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                // Woken early by a waiter with an earlier deadline: look again.
            }
            finally
            {
                lock (_gate)
                {
                    _nap = null;
                }
            }
        }
    }

    /// <summary>Timers count whole milliseconds (truncating): round up, or a sub-millisecond rest would spin.</summary>
    private static TimeSpan CeilingMilliseconds(TimeSpan span) =>
        span <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(span.TotalMilliseconds));

    /// <summary>The earliest deadline of the waiters now attached, or <see langword="null"/> when none is.</summary>
    private DateTimeOffset? EarliestDeadline()
    {
        lock (_gate)
        {
            DateTimeOffset? earliest = null;
            foreach (var waiter in _waiters)
            {
                if (earliest is null || waiter.Deadline < earliest)
                {
                    earliest = waiter.Deadline;
                }
            }

            return earliest;
        }
    }

    /// <summary>Hands a snapshot to every waiter; completes them all when it is final. Returns whether the loop is done.</summary>
    private bool Publish(TaskSnapshot snapshot)
    {
        Waiter[] waiters;
        var changed = _last is null || _last.State != snapshot.State;
        lock (_gate)
        {
            _last = snapshot;
            waiters = [.. _waiters];
            if (snapshot.IsTerminal)
            {
                _closed = true;
                _waiters.Clear();
            }
        }

        if (changed)
        {
            Log.StateChanged(_logger, _task.ToString(), snapshot.State.GetName(), snapshot.ProviderState);
        }

        foreach (var waiter in waiters)
        {
            waiter.Publish(snapshot);
            if (snapshot.IsTerminal)
            {
                waiter.Complete(snapshot);
            }
        }

        if (snapshot.IsTerminal)
        {
            return true;
        }

        // A waiter whose progress handler threw has ended with that exception; it no longer keeps the loop going.
        lock (_gate)
        {
            _waiters.RemoveAll(w => w.IsFinished);
            if (_waiters.Count == 0)
            {
                _closed = true;
                return true;
            }
        }

        return false;
    }

    private void FailAll(Exception exception)
    {
        Waiter[] waiters;
        lock (_gate)
        {
            _closed = true;
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.Fail(exception);
        }
    }

    /// <summary>Times out the waiters whose deadline has passed; returns the earliest remaining deadline, or null when none remain.</summary>
    private DateTimeOffset? ExpireWaiters(DateTimeOffset now)
    {
        List<Waiter>? expired = null;
        DateTimeOffset? earliest = null;
        TaskSnapshot? last;
        lock (_gate)
        {
            last = _last;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (waiter.Deadline <= now)
                {
                    (expired ??= []).Add(waiter);
                    _waiters.RemoveAt(i);
                }
                else if (earliest is null || waiter.Deadline < earliest)
                {
                    earliest = waiter.Deadline;
                }
            }

            if (_waiters.Count == 0)
            {
                _closed = true;
            }
        }

        if (expired is not null)
        {
            foreach (var waiter in expired)
            {
                waiter.Fail(new TaskWaitTimeoutException(_task, waiter.Timeout, last));
            }
        }

        return earliest;
    }
}

/// <summary>One caller of WaitAsync or WatchAsync attached to a <see cref="PollLoop"/>.</summary>
internal sealed class Waiter
{
    private readonly TaskCompletionSource<TaskSnapshot> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IProgress<TaskSnapshot>? _progress;
    private readonly Channel<TaskSnapshot>? _channel;
    private TaskSnapshot? _lastPublished;

    public Waiter(TimeSpan timeout, IProgress<TaskSnapshot>? progress, Channel<TaskSnapshot>? channel, CancellationToken cancellationToken)
    {
        Timeout = timeout;
        _progress = progress;
        _channel = channel;
        CancellationToken = cancellationToken;
    }

    public TimeSpan Timeout { get; }

    public DateTimeOffset Deadline { get; set; }

    public CancellationToken CancellationToken { get; }

    public CancellationTokenRegistration Registration { get; set; }

    public Task<TaskSnapshot> Result => _result.Task;

    /// <summary>Whether the waiter has its outcome (result, error or cancellation).</summary>
    public bool IsFinished => _result.Task.IsCompleted;

    /// <summary>
    /// Passes on a snapshot if it differs from the last one this waiter saw. A progress handler that throws ends
    /// this waiter (with its exception), never the loop or the other waiters.
    /// </summary>
    public void Publish(TaskSnapshot snapshot)
    {
        lock (this)
        {
            if (IsFinished || (_lastPublished is not null && !Differs(_lastPublished, snapshot)))
            {
                return;
            }

            _lastPublished = snapshot;
        }

        try
        {
            _progress?.Report(snapshot);
        }
#pragma warning disable CA1031 // The caller's handler may throw anything; it belongs to this waiter alone.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Fail(exception);
            return;
        }

        _channel?.Writer.TryWrite(snapshot);
    }

    public void Complete(TaskSnapshot snapshot)
    {
        Registration.Dispose();
        _channel?.Writer.TryComplete();
        _result.TrySetResult(snapshot);
    }

    public void Fail(Exception exception)
    {
        Registration.Dispose();
        _channel?.Writer.TryComplete(exception);
        _result.TrySetException(exception);
    }

    public void Cancel()
    {
        var exception = new OperationCanceledException(CancellationToken);
        _channel?.Writer.TryComplete(exception);
        _result.TrySetCanceled(CancellationToken);
    }

    internal static bool Differs(TaskSnapshot a, TaskSnapshot b) =>
        a.State != b.State
        || !string.Equals(a.ProviderState, b.ProviderState, StringComparison.Ordinal)
        || a.Progress != b.Progress
        || a.Outputs.Count != b.Outputs.Count
        || !string.Equals(a.Error?.Code, b.Error?.Code, StringComparison.Ordinal);
}
