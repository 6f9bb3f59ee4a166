using Microsoft.Extensions.Logging;

namespace AsyncTasks.Diagnostics;

/// <summary>Every log message of the library. None of them takes a key or a header value.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Read {Task}: {State} ({ProviderState}), progress {Progress}")]
    public static partial void TaskRead(ILogger logger, string task, string state, string? providerState, int? progress);

    [LoggerMessage(2, LogLevel.Information, "Task {Task} changed to {State} ({ProviderState})")]
    public static partial void StateChanged(ILogger logger, string task, string state, string? providerState);

    [LoggerMessage(3, LogLevel.Warning, "Retrying a {Provider} request (attempt {Attempt}, HTTP {Status}) in {Delay}")]
    public static partial void RetryingRequest(ILogger logger, string provider, int attempt, int? status, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Warning, "Reading {Task} failed transiently ({Kind}, HTTP {Status}); polling again in {Delay}")]
    public static partial void PollFailedTransiently(ILogger logger, string task, TaskErrorKind kind, int? status, TimeSpan delay);

    [LoggerMessage(5, LogLevel.Information, "Wait for {Task} ended: {Outcome}")]
    public static partial void WaitEnded(ILogger logger, string task, string outcome);

    [LoggerMessage(6, LogLevel.Debug, "Downloaded {Bytes} bytes of a {Kind} output")]
    public static partial void Downloaded(ILogger logger, long bytes, TaskOutputKind kind);
}
