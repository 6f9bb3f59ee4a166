namespace AsyncTasks;

/// <summary>The state of a task, normalised across providers.</summary>
/// <remarks>The provider's own status text is always kept in <see cref="TaskSnapshot.ProviderState"/>.</remarks>
public enum TaskState
{
    /// <summary>The state could not be recognised. Not terminal: waiting goes on until its own timeout.</summary>
    Unknown = 0,

    /// <summary>Accepted and waiting to be processed.</summary>
    Queued,

    /// <summary>Being processed.</summary>
    Running,

    /// <summary>Finished with a result.</summary>
    Succeeded,

    /// <summary>Finished without a result; see <see cref="TaskSnapshot.Error"/>.</summary>
    Failed,

    /// <summary>Cancelled before it finished.</summary>
    Cancelled,

    /// <summary>Stopped by the provider because it took too long.</summary>
    TimedOut,
}

/// <summary>Helpers for <see cref="TaskState"/>.</summary>
public static class TaskStateExtensions
{
    /// <summary>Whether the state is final: succeeded, failed, cancelled or timed out. <see cref="TaskState.Unknown"/> is not.</summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for a final state.</returns>
    public static bool IsTerminal(this TaskState state) =>
        state is TaskState.Succeeded or TaskState.Failed or TaskState.Cancelled or TaskState.TimedOut;

    /// <summary>The state's text name: queued, running, succeeded, failed, cancelled, timed_out or unknown.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The lower-case text name.</returns>
    public static string GetName(this TaskState state) => state switch
    {
        TaskState.Queued => "queued",
        TaskState.Running => "running",
        TaskState.Succeeded => "succeeded",
        TaskState.Failed => "failed",
        TaskState.Cancelled => "cancelled",
        TaskState.TimedOut => "timed_out",
        _ => "unknown",
    };
}
