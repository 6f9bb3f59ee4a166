namespace AsyncTasks;

/// <summary>Builds the library's read-only models, so code that uses <see cref="ITaskClient"/> can be tested with fakes.</summary>
public static class AsyncTasksModelFactory
{
    /// <summary>Builds a <see cref="AsyncTasks.TaskSnapshot"/>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="state">The normalised state.</param>
    /// <param name="providerState">The provider's status text.</param>
    /// <param name="progress">Progress 0–100, if any.</param>
    /// <param name="outputs">The outputs; empty when <see langword="null"/>.</param>
    /// <param name="error">The error, if any.</param>
    /// <param name="createdAt">Creation time, if known.</param>
    /// <param name="finishedAt">Finish time, if known.</param>
    /// <param name="requestId">The provider's request id, if any.</param>
    /// <param name="rawResponse">The answer body, if any.</param>
    /// <returns>The snapshot.</returns>
    public static TaskSnapshot TaskSnapshot(
        TaskRef task,
        TaskState state,
        string? providerState = null,
        int? progress = null,
        IEnumerable<TaskOutput>? outputs = null,
        TaskError? error = null,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? finishedAt = null,
        string? requestId = null,
        BinaryData? rawResponse = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (progress is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(progress), progress, "Progress is 0 to 100.");
        }

        // Outputs are immutable: those built without a task are copied with its provider, so they can be downloaded.
        var owned = outputs?.Select(o => o.Source is null ? new TaskOutput(o.Kind, o.Url, o.InlineData, o.MimeType, o.FileName, o.ExpiresAt, task.Provider) : o).ToArray();
        return new(task, state, providerState, progress, owned ?? [], error, createdAt, finishedAt, requestId, rawResponse);
    }

    /// <summary>Builds a <see cref="AsyncTasks.TaskOutput"/> behind a URL.</summary>
    /// <param name="kind">Image or video.</param>
    /// <param name="url">Where it can be downloaded.</param>
    /// <param name="mimeType">MIME type, if known.</param>
    /// <param name="fileName">File name, if known.</param>
    /// <param name="expiresAt">When the URL expires, if known.</param>
    /// <returns>The output.</returns>
    public static TaskOutput UrlOutput(
        TaskOutputKind kind,
        Uri url,
        string? mimeType = null,
        string? fileName = null,
        DateTimeOffset? expiresAt = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new(kind, url, null, mimeType, fileName, expiresAt);
    }

    /// <summary>Builds a <see cref="AsyncTasks.TaskOutput"/> carrying its bytes.</summary>
    /// <param name="kind">Image or video.</param>
    /// <param name="data">The bytes.</param>
    /// <param name="mimeType">MIME type, if known.</param>
    /// <param name="fileName">File name, if known.</param>
    /// <returns>The output.</returns>
    public static TaskOutput InlineOutput(
        TaskOutputKind kind,
        ReadOnlyMemory<byte> data,
        string? mimeType = null,
        string? fileName = null) =>
        new(kind, null, data, mimeType, fileName, null);

    /// <summary>Builds a <see cref="AsyncTasks.TaskError"/>.</summary>
    /// <param name="code">The provider's code, if any.</param>
    /// <param name="message">The provider's message, if any.</param>
    /// <returns>The error.</returns>
    public static TaskError TaskError(string? code, string? message) => new(code, message);
}
