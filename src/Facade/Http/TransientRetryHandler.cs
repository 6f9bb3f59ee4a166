using System.Net;
using System.Runtime.ExceptionServices;
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
/// and waits could not account for them), and it does not cap Retry-After. The first attempt is sent straight
/// through (Polly costs about 160 ns and an allocation per request even when nothing is retried); only a transient
/// outcome enters the pipeline, as its first attempt, so the retries, their delays, logs and the disposal of the
/// failed responses are Polly's exactly as if every attempt had gone through it.
/// </remarks>
internal sealed class TransientRetryHandler : DelegatingHandler
{
    /// <summary>The retry pipeline; <see langword="null"/> when retries are off.</summary>
    private readonly ResiliencePipeline<HttpResponseMessage>? _pipeline;

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

        _pipeline = options.MaxRetries > 0 ? builder.Build() : null;

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

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_pipeline is null)
        {
            return base.SendAsync(request, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // As Polly would: no attempt once the caller has given up.
            return Task.FromException<HttpResponseMessage>(new OperationCanceledException(cancellationToken));
        }

        Task<HttpResponseMessage> first;
        try
        {
            first = base.SendAsync(request, cancellationToken);
        }
        catch (Exception exception)
        {
            first = Task.FromException<HttpResponseMessage>(exception);
        }

        // The common case costs nothing more: an answer that needs no retry.
        return first.IsCompletedSuccessfully && !IsTransient(first.Result.StatusCode)
            ? first
            : SendWithRetriesAsync(_pipeline, first, request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(
        ResiliencePipeline<HttpResponseMessage> pipeline,
        Task<HttpResponseMessage> first,
        HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        var attempts = new Attempts(this, request);
        try
        {
            attempts.First = await first.ConfigureAwait(false);
            if (!IsTransient(attempts.First.StatusCode))
            {
                return attempts.First;
            }
        }
        catch (HttpRequestException exception)
        {
            attempts.FirstError = ExceptionDispatchInfo.Capture(exception);
        }

        try
        {
            return await pipeline.ExecuteAsync(
                static async (state, token) => await state.NextAsync(token).ConfigureAwait(false),
                attempts,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The pipeline gave up before taking the first outcome (the caller cancelled meanwhile): nobody else will dispose it.
            if (!attempts.FirstTaken)
            {
                attempts.First?.Dispose();
            }
        }
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    /// <summary>
    /// The attempts as the pipeline sees them: the first is the outcome already received (returned or rethrown as it
    /// was), every later one is sent.
    /// </summary>
    private sealed class Attempts(TransientRetryHandler handler, HttpRequestMessage request)
    {
        public HttpResponseMessage? First { get; set; }

        public ExceptionDispatchInfo? FirstError { get; set; }

        public bool FirstTaken { get; private set; }

        public Task<HttpResponseMessage> NextAsync(CancellationToken cancellationToken)
        {
            if (!FirstTaken)
            {
                FirstTaken = true;
                FirstError?.Throw();
                return Task.FromResult(First!);
            }

            return handler.BaseSendAsync(request, cancellationToken);
        }
    }
}
