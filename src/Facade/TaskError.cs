namespace AsyncTasks;

/// <summary>Why a task ended without a result, as the provider explained it.</summary>
public sealed class TaskError
{
    internal TaskError(string? code, string? message)
    {
        Code = code;
        Message = message;
    }

    /// <summary>The provider's error code as text (numeric codes are written in invariant culture), if any.</summary>
    public string? Code { get; }

    /// <summary>The provider's explanation, if any.</summary>
    public string? Message { get; }

    /// <summary>Code and message.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => (Code, Message) switch
    {
        (null, null) => "(no detail)",
        (null, _) => Message!,
        (_, null) => Code!,
        _ => $"{Code}: {Message}",
    };
}
