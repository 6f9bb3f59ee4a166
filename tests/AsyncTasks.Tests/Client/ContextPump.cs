using System.Collections.Concurrent;
using System.Net;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// A single-threaded <see cref="SynchronizationContext"/> like a UI thread's, which records every
/// <see cref="SynchronizationContext.Post"/> and <see cref="SynchronizationContext.Send"/> it receives (and still runs
/// the work, so nothing deadlocks). Calls made through <see cref="Run{T}"/> start on its thread with the context
/// current, as an application's UI code would call the client.
/// </summary>
/// <remarks>
/// <para>
/// An <c>await</c> captures the context only when it is reached on the context's thread and its task is still
/// pending; after the first <c>ConfigureAwait(false)</c> that really waits, the code goes on on the thread pool.
/// So that every <c>await</c> of the client is reached on the context in some test, the I/O it waits for can be
/// made to complete at once or later, step by step (<see cref="CreateTransport"/>, <see cref="CreateDestination"/>):
/// an answer read synchronously (still a real request over a socket), a body stream that opens or reads later,
/// a destination that writes later.
/// </para>
/// <para>
/// The test's own awaits happen on the test thread, outside the context, so every recorded post comes from the
/// client.
/// </para>
/// </remarks>
internal sealed class ContextPump : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly ConcurrentQueue<string> _posts = new();
    private readonly RecordingContext _context;
    private readonly Thread _thread;

    public ContextPump()
    {
        _context = new RecordingContext(this);
        _thread = new Thread(Loop) { IsBackground = true, Name = "context pump" };
        _thread.Start();
    }

    /// <summary>What was posted or sent to the context, each described by the code it would resume.</summary>
    public IReadOnlyList<string> Posts => [.. _posts];

    /// <summary>
    /// A transport to WireMock over real sockets.
    /// </summary>
    /// <param name="synchronousRequests">How many requests, first to last, are answered synchronously (headers and body read before returning).</param>
    /// <param name="laterOpen">Whether opening a body stream completes later.</param>
    /// <param name="laterReads">Whether each read of a body completes later.</param>
    /// <param name="laterDispose">Whether disposing a body stream completes later.</param>
    public HttpMessageHandler CreateTransport(int synchronousRequests = 0, bool laterOpen = false, bool laterReads = false, bool laterDispose = false) =>
        new PumpedTransport(this, new Later(laterOpen, laterReads, laterDispose), synchronousRequests);

    /// <summary>A destination whose asynchronous writes complete later.</summary>
    public PumpedDestination CreateDestination() => new(this);

    /// <summary>Calls <paramref name="call"/> on this thread with the context current; the returned task is the call's.</summary>
    public async Task<T> Run<T>(Func<T> call)
    {
        var started = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                started.SetResult(call());
            }
#pragma warning disable CA1031 // Handed to the test as the call's outcome.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                started.SetException(exception);
            }
        });
        return await started.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// A task that completes later, on the thread pool, after the work item running now (if on this thread) has
    /// ended: an await of it is always pending.
    /// </summary>
    public Task Hop()
    {
        var hop = new TaskCompletionSource();
        Enqueue(() => ThreadPool.UnsafeQueueUserWorkItem(static h => h.SetResult(), hop, preferLocal: false));
        return hop.Task;
    }

    public void Dispose() => _work.CompleteAdding();

    private void Enqueue(Action action)
    {
        try
        {
            _work.Add(action);
        }
        catch (InvalidOperationException)
        {
            // Disposed: the test is over, and so is the work it left behind.
        }
    }

    private void Loop()
    {
        SynchronizationContext.SetSynchronizationContext(_context);
        foreach (var action in _work.GetConsumingEnumerable())
        {
            try
            {
                action();
            }
#pragma warning disable CA1031 // The pump must keep running; a failure shows in the test through its task.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void Record(SendOrPostCallback callback, object? state)
    {
        // An await's continuation is posted as a shared callback with the resuming delegate as its state.
        var resumed = state is Delegate target ? target.Target ?? target.Method : callback.Target ?? callback.Method;
        _posts.Enqueue(resumed.ToString() ?? "?");
    }

    private sealed class RecordingContext(ContextPump pump) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            pump.Record(d, state);
            pump.Enqueue(() => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            pump.Record(d, state);
            d(state);
        }

        public override SynchronizationContext CreateCopy() => this;
    }

    /// <summary>Which steps of reading a body complete later.</summary>
    private sealed record Later(bool Open, bool Reads, bool Dispose)
    {
        public bool Any => Open || Reads || Dispose;
    }

    private sealed class PumpedTransport(ContextPump pump, Later later, int synchronousRequests)
        : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
    {
        private int _sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _sent) > synchronousRequests)
            {
                return SendLaterAsync(request, cancellationToken);
            }

            // A real request, answered before returning: headers and body.
            var response = Send(request, cancellationToken);
            var body = new MemoryStream();
            using (var stream = response.Content.ReadAsStream(cancellationToken))
            {
                stream.CopyTo(body);
            }

            var buffered = new ByteArrayContent(body.ToArray());
            foreach (var header in response.Content.Headers)
            {
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content.Dispose();
            response.Content = Wrap(buffered);
            return Task.FromResult(response);
        }

        private async Task<HttpResponseMessage> SendLaterAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            response.Content = Wrap(response.Content);
            return response;
        }

        private HttpContent Wrap(HttpContent content) => later.Any ? new PumpedContent(pump, content, later) : content;
    }

    private sealed class PumpedContent : HttpContent
    {
        private readonly ContextPump _pump;
        private readonly HttpContent _inner;
        private readonly Later _later;

        public PumpedContent(ContextPump pump, HttpContent inner, Later later)
        {
            _pump = pump;
            _inner = inner;
            _later = later;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await _inner.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            if (_later.Reads)
            {
                await _pump.Hop().ConfigureAwait(false);
            }
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        {
            var stream = await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (_later.Open)
            {
                await _pump.Hop().ConfigureAwait(false);
            }

            return _later.Reads || _later.Dispose ? new PumpedReadStream(_pump, stream, _later) : stream;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? 0;
            return _inner.Headers.ContentLength is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class PumpedReadStream(ContextPump pump, Stream inner, Later later) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (later.Reads)
            {
                await pump.Hop().ConfigureAwait(false);
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            if (later.Dispose)
            {
                await pump.Hop().ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>A destination stream whose asynchronous writes complete later (see <see cref="ContextPump.Hop"/>).</summary>
internal sealed class PumpedDestination(ContextPump pump) : MemoryStream
{
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        await pump.Hop().ConfigureAwait(false);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken) => await pump.Hop().ConfigureAwait(false);
}
