using System.Net;
using AsyncTasks.Diagnostics;
using AsyncTasks.Polling;
using AsyncTasks.Providers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AsyncTasks.Http;

/// <summary>
/// Retries a request that failed for a transient reason: HTTP 408, 424, 429, 5xx, or no response at all.
/// Honours Retry-After (seconds or HTTP date) up to <see cref="RetryOptions.MaxRetryAfter"/>.
/// </summary>
/// <remarks>
/// Built on Polly.Core rather than Kiota's RetryHandler: Kiota's handler sleeps with Task.Delay on the real
/// clock, so its delays cannot go through the client's <see cref="TimeProvider"/> (tests would sleep for real,
/// and waits could not account for them), and it does not cap Retry-After. Every attempt goes through the one
/// pipeline.
/// </remarks>
internal sealed class TransientRetryHandler : DelegatingHandler
{
    /// <summary>The retry pipeline (empty when retries are off).</summary>
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public TransientRetryHandler(Provider? provider, RetryOptions options, TimeProvider timeProvider, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.Delay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException } => !PastDeadline(null),
                    { Result: { } response } => IsTransient(response.StatusCode) && !PastDeadline(response),
                    _ => false,
                }),
                DelayGenerator = args =>
                {
                    return ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response, timeProvider.GetUtcNow()) : null);
                },
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } response ? (int)response.StatusCode : (int?)null;
                    Log.RetryingRequest(logger, provider?.GetName() ?? "download", args.AttemptNumber + 1, status, args.RetryDelay);
                    AsyncTasksTelemetry.Retries.Add(1, new KeyValuePair<string, object?>("provider", provider?.GetName() ?? "download"));
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        _pipeline = builder.Build();

        // Inside a wait, a retry that could only start after the wait's deadline is not made: the failure goes back to
        // the wait, which ends at its deadline instead of after the sleep (Retry-After may ask for a day).
        bool PastDeadline(HttpResponseMessage? response)
        {
            if (WaitDeadline.Value is not { } deadline)
            {
                return false;
            }

            var now = timeProvider.GetUtcNow();
            return now + ((response is null ? null : RetryAfter(response, now)) ?? TimeSpan.Zero) >= deadline;
        }

        // The delay the answer asks for, capped at MaxRetryAfter.
        TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) =>
            RetryAfterParser.Parse(response, now) is { } asked ? (asked < options.MaxRetryAfter ? asked : options.MaxRetryAfter) : null;
    }

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.FailedDependency
        || (int)status >= 500;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(
            static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.BaseSendAsync(state.Request, token)),
            (Handler: this, Request: request),
            cancellationToken).AsTask();

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
