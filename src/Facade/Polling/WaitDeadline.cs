namespace AsyncTasks.Polling;

/// <summary>
/// The deadline of the wait a poll belongs to, for the handlers that request passes through (set by
/// <see cref="PollLoop"/> around each poll; unset for a plain read). The retry handler gives up rather than sleep past
/// it: a Retry-After that ends after the deadline would only hold the wait beyond its timeout.
/// </summary>
internal static class WaitDeadline
{
    private static readonly AsyncLocal<DateTimeOffset?> Current = new();

    /// <summary>The deadline of the current poll's earliest waiter, or <see langword="null"/> outside a wait.</summary>
    public static DateTimeOffset? Value => Current.Value;

    /// <summary>Sets the deadline for the calls made from here on in this asynchronous flow.</summary>
    public static void Set(DateTimeOffset? deadline) => Current.Value = deadline;
}
