using System.Collections.Concurrent;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// A transport for <see cref="TaskClient"/> (its <c>transport</c> parameter) that records when each request left,
/// on the fake clock and in real time, and lets a test wait until a request is in flight. It sends for real over a
/// <see cref="SocketsHttpHandler"/> like the client's own (no redirects, no cookies, no proxy).
/// </summary>
internal sealed class RecordingTransport : DelegatingHandler
{
    private readonly TimeProvider _clock;
    private readonly ConcurrentQueue<SentRequest> _sent = new();
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

    public RecordingTransport(TimeProvider clock)
        : base(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
    {
        _clock = clock;
    }

    /// <summary>The requests sent so far, oldest first.</summary>
    public IReadOnlyList<SentRequest> Sent => [.. _sent];

    /// <summary>Completes once <paramref name="count"/> requests have been sent (their responses may still be pending).</summary>
    public Task WhenSentAsync(int count)
    {
        lock (_gate)
        {
            if (_sent.Count >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _sent.Enqueue(new SentRequest(request.RequestUri, _clock.GetUtcNow(), DateTimeOffset.UtcNow));
            foreach (var waiter in _waiters.Where(w => w.Count <= _sent.Count).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>One request as it left the client.</summary>
/// <param name="Uri">Its URL.</param>
/// <param name="VirtualTime">The fake clock's time when it left.</param>
/// <param name="RealTime">The real time when it left.</param>
internal sealed record SentRequest(Uri? Uri, DateTimeOffset VirtualTime, DateTimeOffset RealTime);
