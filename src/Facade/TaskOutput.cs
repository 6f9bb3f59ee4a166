namespace AsyncTasks;

/// <summary>What kind of media an output is.</summary>
public enum TaskOutputKind
{
    /// <summary>A picture.</summary>
    Image,

    /// <summary>A video.</summary>
    Video,
}

/// <summary>
/// One result of a finished task: either a URL to download (<see cref="Url"/>) or the bytes themselves
/// (<see cref="InlineData"/>). Exactly one of the two is set.
/// </summary>
public sealed class TaskOutput
{
    internal TaskOutput(
        TaskOutputKind kind,
        Uri? url,
        ReadOnlyMemory<byte>? inlineData,
        string? mimeType,
        string? fileName,
        DateTimeOffset? expiresAt,
        Provider? source = null)
    {
        if ((url is null) == (inlineData is null))
        {
            throw new ArgumentException("An output has either a URL or inline data, not both or neither.");
        }

        Kind = kind;
        Url = url;
        InlineData = inlineData;
        MimeType = mimeType;
        FileName = fileName;
        ExpiresAt = expiresAt;
        Source = source;
    }

    /// <summary>
    /// The provider whose task produced the output (its key may go with the download, to its own origin only);
    /// <see langword="null"/> for an output built by <see cref="AsyncTasksModelFactory"/>, downloaded without a key.
    /// </summary>
    internal Provider? Source { get; }

    /// <summary>Image or video.</summary>
    public TaskOutputKind Kind { get; }

    /// <summary>Where the output can be downloaded; <see langword="null"/> for inline outputs.</summary>
    public Uri? Url { get; }

    /// <summary>The output's bytes when the provider returned them inline; <see langword="null"/> for URL outputs.</summary>
    public ReadOnlyMemory<byte>? InlineData { get; }

    /// <summary>Whether the bytes are carried inline rather than behind a URL.</summary>
    public bool IsInline => InlineData is not null;

    /// <summary>The MIME type the provider reported, if any.</summary>
    public string? MimeType { get; }

    /// <summary>The file name the provider reported, if any.</summary>
    public string? FileName { get; }

    /// <summary>When <see cref="Url"/> stops working, if the provider says.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>A short description: kind and URL, or kind and inline size.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Url is not null
            ? $"{Kind} {Url}"
            : $"{Kind} ({InlineData!.Value.Length} inline bytes)";
}
