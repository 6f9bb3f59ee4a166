namespace AsyncTasks;

/// <summary>The state of a task as read from its provider at one moment.</summary>
public sealed class TaskSnapshot
{
    internal TaskSnapshot(
        TaskRef task,
        TaskState state,
        string? providerState,
        int? progress,
        IReadOnlyList<TaskOutput> outputs,
        TaskError? error,
        DateTimeOffset? createdAt,
        DateTimeOffset? finishedAt,
        string? requestId,
        BinaryData? rawResponse)
    {
        Task = task;
        State = state;
        ProviderState = providerState;
        Progress = progress;
        Outputs = outputs;
        Error = error;
        CreatedAt = createdAt;
        FinishedAt = finishedAt;
        RequestId = requestId;
        RawResponse = rawResponse;
    }

    /// <summary>The task this snapshot describes.</summary>
    public TaskRef Task { get; }

    /// <summary>The normalised state.</summary>
    public TaskState State { get; }

    /// <summary>Whether <see cref="State"/> is final (see <see cref="TaskStateExtensions.IsTerminal"/>).</summary>
    public bool IsTerminal => State.IsTerminal();

    /// <summary>The provider's own status text (for SkyEngine: <c>done</c> or <c>running</c>), kept as received.</summary>
    public string? ProviderState { get; }

    /// <summary>Progress from 0 to 100, where the provider reports it; otherwise <see langword="null"/>.</summary>
    public int? Progress { get; }

    /// <summary>The results; empty until the task succeeds.</summary>
    public IReadOnlyList<TaskOutput> Outputs { get; }

    /// <summary>Why the task failed, was cancelled or timed out; <see langword="null"/> otherwise.</summary>
    public TaskError? Error { get; }

    /// <summary>When the task was created, if the provider says.</summary>
    public DateTimeOffset? CreatedAt { get; }

    /// <summary>When the task finished, if it has and the provider says.</summary>
    public DateTimeOffset? FinishedAt { get; }

    /// <summary>The provider's id of the request that produced this snapshot, for support tickets.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// The provider's answer body as received, with every configured key masked, for provider-specific fields the
    /// snapshot does not carry (read it with <see cref="BinaryData.ToString"/> or <c>ToObjectFromJson</c>). Its shape is
    /// the provider's, as documented in the library's <c>specs/</c>; <see langword="null"/> when the snapshot was not read
    /// from an answer.
    /// </summary>
    public BinaryData? RawResponse { get; }

    /// <summary>Task, state, provider state and, when set, progress and error.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = $"{Task} {State.GetName()} ({ProviderState ?? "-"})";
        if (Progress is { } progress)
        {
            text += $" {progress}%";
        }

        if (Error is not null)
        {
            text += $" error {Error}";
        }

        return text;
    }
}
