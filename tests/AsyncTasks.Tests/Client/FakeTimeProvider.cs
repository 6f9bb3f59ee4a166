namespace AsyncTasks.Tests.Client;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when told, so that waits and retries are tested without
/// sleeping. Every delay of the facade (poll delays through <c>Task.Delay(delay, timeProvider, ct)</c>, Polly's
/// retry delays) becomes a timer of this clock.
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="AutoAdvance"/> on (the default), a timer started with a finite due time moves the clock forward
/// by exactly that due time and fires at once (on the thread pool). That models one sequential actor — a poll
/// loop, a retrying request — faithfully: the clock shows the sum of the delays it asked for. Periodic timers fire
/// their first due time only; their later periods need <see cref="Advance"/>.
/// </para>
/// <para>
/// With <see cref="AutoAdvance"/> off, timers wait until <see cref="Advance"/> moves the clock past their due time;
/// they then fire in due order, each with the clock set to its due time.
/// </para>
/// <para>Every due time asked for is recorded in <see cref="RequestedDelays"/>, in order.</para>
/// </remarks>
internal sealed class FakeTimeProvider : TimeProvider
{
    /// <summary>The default start: a whole second, so HTTP dates (second precision) round-trip exactly.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<FakeTimer> _scheduled = [];
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now;
    private bool _autoAdvance;
    private long _sequence;

    /// <summary>Creates the clock.</summary>
    /// <param name="start">The first time it shows; <see cref="DefaultStart"/> when <see langword="null"/>.</param>
    /// <param name="autoAdvance">Whether timers move the clock and fire at once.</param>
    public FakeTimeProvider(DateTimeOffset? start = null, bool autoAdvance = true)
    {
        Start = start ?? DefaultStart;
        _now = Start;
        _autoAdvance = autoAdvance;
    }

    /// <summary>The time the clock started at.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Whether a new timer moves the clock by its due time and fires at once.</summary>
    public bool AutoAdvance
    {
        get
        {
            lock (_gate)
            {
                return _autoAdvance;
            }
        }

        set
        {
            lock (_gate)
            {
                _autoAdvance = value;
            }
        }
    }

    /// <summary>How far the clock has moved since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    /// <summary>Every finite due time a timer was started with (at creation or by <c>Change</c>), oldest first.</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays
    {
        get
        {
            lock (_gate)
            {
                return [.. _delays];
            }
        }
    }

    /// <summary>Timers that are scheduled and have not fired yet.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _scheduled.Count;
            }
        }
    }

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp() => (GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks;

    /// <summary>Moves the clock forward, firing (synchronously, in due order) every timer that falls due.</summary>
    /// <param name="by">How far; not negative.</param>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            FakeTimer? next;
            lock (_gate)
            {
                next = _scheduled
                    .Where(t => t.Due <= target)
                    .OrderBy(t => t.Due)
                    .ThenBy(t => t.Sequence)
                    .FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due;
                _scheduled.Remove(next);
                next.Rearm(_now);
            }

            next.Fire();
        }
    }

    /// <summary>Sets the clock to <paramref name="time"/> (forward only), firing the timers that fall due.</summary>
    /// <param name="time">The new time.</param>
    public void SetUtcNow(DateTimeOffset time) => Advance(time - GetUtcNow());

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private static void Validate(TimeSpan time, string name)
    {
        if (time < TimeSpan.Zero && time != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, time, "A timer time is zero, positive or infinite.");
        }
    }

    private bool Schedule(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        Validate(dueTime, nameof(dueTime));
        Validate(period, nameof(period));
        bool fireNow;
        lock (_gate)
        {
            if (timer.Disposed)
            {
                return false;
            }

            _scheduled.Remove(timer);
            timer.Period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            _delays.Add(dueTime);
            timer.Sequence = ++_sequence;
            if (_autoAdvance)
            {
                _now += dueTime;
                timer.Due = _now;
                timer.Rearm(_now);
                fireNow = true;
            }
            else
            {
                timer.Due = _now + dueTime;
                _scheduled.Add(timer);
                fireNow = false;
            }
        }

        if (fireNow)
        {
            // Never inside CreateTimer/Change: the caller may not have stored the timer yet.
            ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), timer, preferLocal: false);
        }

        return true;
    }

    private void Unschedule(FakeTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            _scheduled.Remove(timer);
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; set; } = Timeout.InfiniteTimeSpan;

        public long Sequence { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Schedule(this, dueTime, period);

        /// <summary>Called under the owner's lock once the timer fired: a periodic timer waits for its next period (manual advance only).</summary>
        public void Rearm(DateTimeOffset now)
        {
            if (Period != Timeout.InfiniteTimeSpan && Period > TimeSpan.Zero && !Disposed)
            {
                Due = now + Period;
                Sequence = ++owner._sequence;
                owner._scheduled.Add(this);
            }
        }

        public void Fire()
        {
            lock (owner._gate)
            {
                if (Disposed)
                {
                    return;
                }
            }

            callback(state);
        }

        public void Dispose() => owner.Unschedule(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
