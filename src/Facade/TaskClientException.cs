using System.Globalization;
using System.Text;

namespace AsyncTasks;

/// <summary>What kind of failure a <see cref="TaskClientException"/> reports.</summary>
public enum TaskErrorKind
{
    /// <summary>The key is missing, invalid or not allowed (HTTP 401/403, or the provider's equivalent in-band code).</summary>
    Authentication,

    /// <summary>The task does not exist (HTTP 404, or the provider's equivalent).</summary>
    NotFound,

    /// <summary>Too many requests (HTTP 429, or the provider's equivalent). Transient.</summary>
    RateLimited,

    /// <summary>The provider failed (HTTP 5xx, 408, 424). Transient.</summary>
    Server,

    /// <summary>The response could not be understood: malformed, truncated, empty or of an unexpected shape.</summary>
    Protocol,

    /// <summary>No HTTP response: the connection failed, was reset or closed early.</summary>
    Transport,

    /// <summary>The request took longer than its timeout.</summary>
    Timeout,
}

/// <summary>Helpers for <see cref="TaskErrorKind"/>.</summary>
public static class TaskErrorKindExtensions
{
    /// <summary>The kind's text name: authentication, not_found, rate_limited, server, protocol, transport or timeout.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The lower-case text name, as the CLI's JSON and the tracker's outcomes write it.</returns>
    public static string GetName(this TaskErrorKind kind) => kind switch
    {
        TaskErrorKind.Authentication => "authentication",
        TaskErrorKind.NotFound => "not_found",
        TaskErrorKind.RateLimited => "rate_limited",
        TaskErrorKind.Server => "server",
        TaskErrorKind.Protocol => "protocol",
        TaskErrorKind.Transport => "transport",
        TaskErrorKind.Timeout => "timeout",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a defined error kind."),
    };
}

/// <summary>
/// A request to a provider failed. Every failure of AsyncTasks other than argument and configuration errors is
/// of this type; <see cref="Kind"/> says what happened and <see cref="IsTransient"/> whether trying again may help.
/// </summary>
/// <remarks>Messages never contain API keys or response bodies.</remarks>
public class TaskClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="provider">The provider the request went to.</param>
    /// <param name="kind">What kind of failure it was.</param>
    /// <param name="message">What went wrong, without secrets.</param>
    /// <param name="httpStatus">The HTTP status, when a response arrived.</param>
    /// <param name="providerCode">The provider's error code, if it sent one.</param>
    /// <param name="requestId">The provider's request id, if it sent one.</param>
    /// <param name="innerException">The underlying failure.</param>
    public TaskClientException(
        Provider provider,
        TaskErrorKind kind,
        string message,
        int? httpStatus = null,
        string? providerCode = null,
        string? requestId = null,
        Exception? innerException = null)
        : base(Describe(provider, kind, message, httpStatus, providerCode, requestId), innerException)
    {
        Provider = provider;
        Kind = kind;
        HttpStatus = httpStatus;
        ProviderCode = providerCode;
        RequestId = requestId;
    }

    /// <summary>The provider the request went to.</summary>
    public Provider Provider { get; }

    /// <summary>What kind of failure it was.</summary>
    public TaskErrorKind Kind { get; }

    /// <summary>The HTTP status of the response, or <see langword="null"/> when none arrived.</summary>
    public int? HttpStatus { get; }

    /// <summary>The provider's error code, if it sent one (e.g. SkyEngine's 2101, Tencent's AuthFailure).</summary>
    public string? ProviderCode { get; }

    /// <summary>The provider's id of the failed request, if it sent one.</summary>
    public string? RequestId { get; }

    /// <summary>
    /// Whether trying the same request again later may succeed: rate limits, server errors, transport failures and
    /// request timeouts. <see langword="false"/> for a <see cref="TaskWaitTimeoutException"/>: the wait used the time it
    /// was given, and nothing failed.
    /// </summary>
    public bool IsTransient => this is not TaskWaitTimeoutException
        && Kind is TaskErrorKind.RateLimited or TaskErrorKind.Server or TaskErrorKind.Transport or TaskErrorKind.Timeout;

    /// <summary>How long the provider asked to wait before trying again (Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    private static string Describe(
        Provider provider,
        TaskErrorKind kind,
        string message,
        int? httpStatus,
        string? providerCode,
        string? requestId)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{provider.GetName()}: {message}");
        text.Append(CultureInfo.InvariantCulture, $" (kind {kind}");
        if (httpStatus is { } status)
        {
            text.Append(CultureInfo.InvariantCulture, $", HTTP {status}");
        }

        if (!string.IsNullOrEmpty(providerCode))
        {
            text.Append(CultureInfo.InvariantCulture, $", provider code {providerCode}");
        }

        text.Append(CultureInfo.InvariantCulture, $", request id {requestId ?? "none"})");
        return text.ToString();
    }
}

/// <summary>
/// A wait for a task outlived its timeout before the task reached a final state. Its <see cref="TaskClientException.Kind"/>
/// is <see cref="TaskErrorKind.Timeout"/>.
/// </summary>
public sealed class TaskWaitTimeoutException : TaskClientException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="task">The task waited for.</param>
    /// <param name="timeout">The wait's timeout.</param>
    /// <param name="lastSnapshot">The last snapshot read before the timeout, if any.</param>
    public TaskWaitTimeoutException(TaskRef task, TimeSpan timeout, TaskSnapshot? lastSnapshot)
        : base(
            (task ?? throw new ArgumentNullException(nameof(task))).Provider,
            TaskErrorKind.Timeout,
            string.Create(
                CultureInfo.InvariantCulture,
                $"waited {timeout} for {task} without it reaching a final state; last state {lastSnapshot?.State.GetName() ?? "never read"}"),
            requestId: lastSnapshot?.RequestId)
    {
        Task = task;
        Timeout = timeout;
        LastSnapshot = lastSnapshot;
    }

    /// <summary>The task waited for.</summary>
    public TaskRef Task { get; }

    /// <summary>The wait's timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The last snapshot read before the timeout, if any.</summary>
    public TaskSnapshot? LastSnapshot { get; }
}
