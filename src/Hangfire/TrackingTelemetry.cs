using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Hangfire;

/// <summary>The tracker's activities and instruments, under the library's <c>AsyncTasks</c> ActivitySource and Meter names.</summary>
internal static class TrackingTelemetry
{
    public const string Name = "AsyncTasks";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(TrackingTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(TrackingTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Trackings started, by provider.</summary>
    public static readonly Counter<long> Tracked = Meter.CreateCounter<long>("asynctasks.tracking.tracked", "{task}", "Tasks given to the tracker, by provider.");

    /// <summary>Poll jobs that read the task, by provider and outcome (a state name or an error kind).</summary>
    public static readonly Counter<long> Polls = Meter.CreateCounter<long>("asynctasks.tracking.polls", "{poll}", "Polls made by tracking jobs, by provider and outcome.");

    /// <summary>Trackings whose handler returned, by provider and outcome.</summary>
    public static readonly Counter<long> Completed = Meter.CreateCounter<long>("asynctasks.tracking.completed", "{task}", "Trackings completed, by provider and outcome.");

    /// <summary>Handler calls that threw (Hangfire retries them), by provider.</summary>
    public static readonly Counter<long> HandlerFailures = Meter.CreateCounter<long>("asynctasks.tracking.handler_failures", "{call}", "Completion handler calls that threw, by provider.");
}

/// <summary>The tracker's log messages. None takes a key: tasks appear by their text form, errors by kind and status.</summary>
internal static partial class TrackingLog
{
    [LoggerMessage(101, LogLevel.Information, "Tracking {TrackingId}: {Task}, timeout {Timeout}")]
    public static partial void Tracked(ILogger logger, string trackingId, string task, TimeSpan timeout);

    [LoggerMessage(102, LogLevel.Debug, "Tracking {TrackingId}: poll {Attempt} of {Task} read {Outcome}; next poll in {Delay}")]
    public static partial void Polled(ILogger logger, string trackingId, int attempt, TaskRef task, string outcome, TimeSpan delay);

    [LoggerMessage(103, LogLevel.Information, "Tracking {TrackingId} of {Task} completed: {Outcome} after {Attempts} polls")]
    public static partial void Completed(ILogger logger, string trackingId, string task, string outcome, int attempts);

    [LoggerMessage(104, LogLevel.Warning, "Tracking {TrackingId} of {Task}: the completion handler threw {ExceptionType}; Hangfire will retry it")]
    public static partial void HandlerFailed(ILogger logger, string trackingId, string task, string exceptionType);

    [LoggerMessage(105, LogLevel.Information, "Tracking {TrackingId} of {Task} cancelled")]
    public static partial void Cancelled(ILogger logger, string trackingId, string task);

    [LoggerMessage(106, LogLevel.Debug, "Tracking {TrackingId}: poll job {Attempt} skipped ({Reason})")]
    public static partial void Skipped(ILogger logger, string trackingId, int attempt, string reason);
}
