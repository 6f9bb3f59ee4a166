namespace AsyncTasks.Providers;

/// <summary>How every adapter makes its snapshot, so that the rules on what a provider's answer means hold for all five.</summary>
internal static class ProviderSnapshot
{
    /// <summary>The error code of a task its provider calls finished but that has no usable output.</summary>
    public const string EmptyResultCode = "empty_result";

    /// <summary>
    /// The snapshot of one answer. A task the provider calls succeeded without any usable output (none listed, or
    /// none with a URL or bytes that can be read) is <see cref="TaskState.Failed"/> with the error
    /// <c>empty_result</c>: "succeeded" promises something to download.
    /// </summary>
    public static TaskSnapshot Create(
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
        if (state == TaskState.Succeeded && outputs.Count == 0)
        {
            state = TaskState.Failed;
            error ??= new TaskError(EmptyResultCode, "the task finished without a usable output");
        }

        return new TaskSnapshot(task, state, providerState, progress, outputs, error, createdAt, finishedAt, requestId, rawResponse);
    }
}
