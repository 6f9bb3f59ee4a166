using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AsyncTasks.Diagnostics;
using AsyncTasks.Http;
using AsyncTasks.Polling;
using AsyncTasks.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncTasks;

/// <summary>
/// The <see cref="ITaskClient"/> over the five providers. Create one per application and reuse it: it owns
/// its HTTP connections (unless they come from <c>IHttpClientFactory</c> through <c>AddAsyncTasks</c>).
/// </summary>
public sealed class TaskClient : ITaskClient, IDisposable
{
    private readonly AsyncTasksOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<Provider, HttpClient> _createClient;
    private readonly Lazy<HttpClient> _downloadClient;
    private readonly ConcurrentDictionary<Provider, Lazy<HttpClient>> _clients = new();

    /// <summary>Per provider (by value): its HTTP client once created, read without a dictionary lookup.</summary>
    private readonly HttpClient?[] _created = new HttpClient?[ProviderNames.All.Count];
    private readonly ConcurrentDictionary<TaskRef, PollLoop> _loops = new();
    private readonly HttpMessageHandler? _ownedTransport;
    private readonly IReadOnlyList<KeyBinding> _keys;

    /// <summary>Per provider (by value): the key bytes its readers overwrite in successful answers, or <see langword="null"/>.</summary>
    private readonly byte[]?[] _secrets;
    private bool _disposed;

    /// <summary>Creates a client with its own HTTP connections.</summary>
    /// <param name="options">Keys, base URLs and behaviour. Validated now; copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of every delay; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="transport">
    /// The innermost HTTP handler (e.g. a proxy-configured <see cref="SocketsHttpHandler"/>); when <see langword="null"/>
    /// the client creates one. A given transport must not follow redirects itself; the client does not dispose it.
    /// </param>
    /// <exception cref="ArgumentException">The options are invalid; the message says what to set.</exception>
    public TaskClient(
        AsyncTasksOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        HttpMessageHandler? transport = null)
        : this(options, loggerFactory, timeProvider, factory: null, transport)
    {
    }

    /// <summary>The DI path: HTTP clients come from <paramref name="factory"/> (IHttpClientFactory named clients).</summary>
    internal TaskClient(
        AsyncTasksOptions options,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider,
        Func<string, HttpClient>? factory,
        HttpMessageHandler? transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.ThrowIfInvalid(options);
        _options = OptionsValidation.Copy(options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TaskClient>();
        _keys = OptionsValidation.KeyBindings(_options);
        _secrets = new byte[]?[ProviderNames.All.Count];
        foreach (var binding in _keys)
        {
            _secrets[(int)binding.Provider] = ApiKeyHandler.SecretOf(binding);
        }

        if (factory is not null)
        {
            _createClient = provider => Configure(factory(HttpClientName(provider)), provider);
            _downloadClient = new Lazy<HttpClient>(() => ConfigureDownload(factory(DownloadClientName)));
        }
        else
        {
            var shared = transport ?? (_ownedTransport = HttpPipeline.CreateTransport(_options.AcceptCompressedResponses));
            _createClient = provider => Configure(
                new HttpClient(
                    HttpPipeline.Link(HttpPipeline.CreateHandlers(provider, _keys, _options, _time, _logger), shared),
                    disposeHandler: false),
                provider);
            _downloadClient = new Lazy<HttpClient>(() => ConfigureDownload(
                new HttpClient(
                    HttpPipeline.Link(HttpPipeline.CreateHandlers(null, _keys, _options, _time, _logger), shared),
                    disposeHandler: false)));
        }
    }

    internal const string DownloadClientName = "AsyncTasks.download";

    internal static string HttpClientName(Provider provider) => "AsyncTasks." + provider.GetName();

    internal AsyncTasksOptions Options => _options;

    internal IReadOnlyList<KeyBinding> KeyBindings => _keys;

    /// <inheritdoc />
    public Task<TaskSnapshot> GetAsync(TaskRef task, CancellationToken cancellationToken = default)
    {
        // Not an async method (one task less per read), but its argument errors still arrive through the task.
        ProviderAdapter adapter;
        HttpClient http;
        try
        {
            ArgumentNullException.ThrowIfNull(task);
            ObjectDisposedException.ThrowIf(_disposed, this);
            adapter = ProviderRegistry.Get(task.Provider);
            task = adapter.Complete(task, _options.For(task.Provider));
            adapter.ValidateTask(task);
            http = GetHttpClient(task.Provider);
        }
        catch (Exception exception)
        {
            return Task.FromException<TaskSnapshot>(exception);
        }

        return ReadAsync(adapter, http, task, cancellationToken);
    }

    /// <inheritdoc />
    public Task<TaskSnapshot> WaitAsync(
        TaskRef task,
        WaitOptions? options = null,
        IProgress<TaskSnapshot>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var waiter = Join(task, options, progress, channel: null, cancellationToken);
        return Observe(task, waiter.Result);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TaskSnapshot> WatchAsync(
        TaskRef task,
        WaitOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<TaskSnapshot>(new UnboundedChannelOptions { SingleReader = true });

        // Cancelled when the consumer stops early (break, dispose), so this watcher leaves the poll loop instead of
        // keeping it polling for nobody until the wait's timeout.
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waiter = Join(task, options, progress: null, channel, leave.Token);
        var observed = Observe(task, waiter.Result);
        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return snapshot;
            }
        }
        finally
        {
            if (!waiter.Result.IsCompleted)
            {
                await leave.CancelAsync().ConfigureAwait(false);
            }

            // Its outcome already reached the consumer through the channel; this only observes it.
            await ((Task)observed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Surfaces cancellation even when the channel ended without error.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public Task<long> DownloadAsync(TaskOutput output, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Downloader.DownloadAsync(
            output, destination, _downloadClient, _options.MaxDownloadBytes, _options.RequestTimeout, _logger, cancellationToken);
    }

    /// <summary>Releases the HTTP connections the client created. Waits in progress end with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Waits end now, not at their next poll (which may be many seconds away).
        foreach (var loop in _loops.Values)
        {
            loop.Abort(new ObjectDisposedException(nameof(TaskClient), "The TaskClient was disposed during the wait."));
        }

        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        if (_downloadClient.IsValueCreated)
        {
            _downloadClient.Value.Dispose();
        }

        _ownedTransport?.Dispose();
    }

    private Waiter Join(
        TaskRef task,
        WaitOptions? options,
        IProgress<TaskSnapshot>? progress,
        Channel<TaskSnapshot>? channel,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var wait = options ?? _options.Wait;
        OptionsValidation.ThrowIfInvalid(wait, nameof(options));
        var adapter = ProviderRegistry.Get(task.Provider);
        task = adapter.Complete(task, _options.For(task.Provider));
        adapter.ValidateTask(task);
        var http = GetHttpClient(task.Provider);

        var waiter = new Waiter(wait.Timeout, progress, channel, cancellationToken);
        while (true)
        {
            var created = false;
            var loop = _loops.GetOrAdd(task, key =>
            {
                created = true;
                var initial = wait.InitialInterval ?? _options.For(key.Provider).PollInterval ?? adapter.DefaultPollInterval;
                return new PollLoop(
                    key,
                    (t, ct) => ReadAsync(adapter, http, t, ct),
                    new Backoff(initial, wait.MaxInterval, wait.Multiplier, wait.Jitter),
                    _options.Retry.MaxRetryAfter,
                    _time,
                    _logger,
                    closed => _loops.TryRemove(new KeyValuePair<TaskRef, PollLoop>(closed.Task, closed)));
            });

            if (loop.TryJoin(waiter, start: created))
            {
                return waiter;
            }

            // It closed between lookup and join: drop it and start a fresh one.
            _loops.TryRemove(new KeyValuePair<TaskRef, PollLoop>(task, loop));
        }
    }

    private async Task<TaskSnapshot> Observe(TaskRef task, Task<TaskSnapshot> result)
    {
        using var activity = AsyncTasksTelemetry.ActivitySource.StartActivity("AsyncTasks.Wait");
        activity?.SetTag("asynctasks.provider", task.Provider.GetName());
        activity?.SetTag("asynctasks.task_id", task.Id);
        var outcome = "error";
        try
        {
            var snapshot = await result.ConfigureAwait(false);
            outcome = snapshot.State.GetName();
            return snapshot;
        }
        catch (TaskWaitTimeoutException)
        {
            outcome = "wait_timeout";
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            throw;
        }
        catch (TaskClientException exception)
        {
            outcome = exception.Kind.ToString().ToLowerInvariant();
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled_by_caller";
            throw;
        }
        finally
        {
            if (AsyncTasksTelemetry.Waits.Enabled)
            {
                AsyncTasksTelemetry.Waits.Add(
                    1,
                    new KeyValuePair<string, object?>("provider", task.Provider.GetName()),
                    new KeyValuePair<string, object?>("outcome", outcome));
            }

            if (_logger.IsEnabled(LogLevel.Information))
            {
                Log.WaitEnded(_logger, task.ToString(), outcome);
            }
        }
    }

    private Task<TaskSnapshot> ReadAsync(ProviderAdapter adapter, HttpClient http, TaskRef task, CancellationToken cancellationToken)
    {
        if (AsyncTasksTelemetry.ActivitySource.HasListeners() || AsyncTasksTelemetry.Polls.Enabled || AsyncTasksTelemetry.PollDuration.Enabled)
        {
            return ReadObservedAsync(adapter, http, task, cancellationToken);
        }

        // Nothing listens: no activity, no measurements, so no asynchronous method either when the answer is already
        // there (an in-memory transport, a response buffered by a handler); only the Debug log remains.
        ValueTask<TaskSnapshot> reading;
        try
        {
            // The id was checked by GetAsync or, for a wait, when the waiter joined.
            reading = adapter.GetAsync(task, http, cancellationToken, _time, _secrets[(int)task.Provider], idChecked: true);
        }
        catch (Exception exception)
        {
            return Task.FromException<TaskSnapshot>(exception);
        }

        if (reading.IsCompletedSuccessfully)
        {
            var snapshot = reading.Result;
            LogRead(task, snapshot);
            return Task.FromResult(snapshot);
        }

        return AwaitAndLogAsync(reading, task);

        async Task<TaskSnapshot> AwaitAndLogAsync(ValueTask<TaskSnapshot> reading, TaskRef task)
        {
            var snapshot = await reading.ConfigureAwait(false);
            LogRead(task, snapshot);
            return snapshot;
        }
    }

    private void LogRead(TaskRef task, TaskSnapshot snapshot)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.TaskRead(_logger, task.ToString(), snapshot.State.GetName(), snapshot.ProviderState, snapshot.Progress);
        }
    }

    private async Task<TaskSnapshot> ReadObservedAsync(ProviderAdapter adapter, HttpClient http, TaskRef task, CancellationToken cancellationToken)
    {
        // Each diagnostic costs only when someone listens: no activity without listeners (StartActivity returns
        // null), no clock reads or tags without an enabled instrument, no formatting of the task without a logger.
        using var activity = AsyncTasksTelemetry.ActivitySource.StartActivity("AsyncTasks.Get");
        activity?.SetTag("asynctasks.provider", task.Provider.GetName());
        activity?.SetTag("asynctasks.task_id", task.Id);
        var measured = AsyncTasksTelemetry.Polls.Enabled || AsyncTasksTelemetry.PollDuration.Enabled;
        var started = measured ? _time.GetTimestamp() : 0;
        string outcome = "error";
        try
        {
            // The id was checked by GetAsync or, for a wait, when the waiter joined.
            var snapshot = await adapter.GetAsync(task, http, cancellationToken, _time, _secrets[(int)task.Provider], idChecked: true).ConfigureAwait(false);
            outcome = snapshot.State.GetName();
            activity?.SetTag("asynctasks.state", outcome);
            LogRead(task, snapshot);
            return snapshot;
        }
        catch (TaskClientException exception)
        {
            outcome = exception.Kind.ToString().ToLowerInvariant();
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            throw;
        }
        finally
        {
            if (measured)
            {
                var provider = new KeyValuePair<string, object?>("provider", task.Provider.GetName());
                AsyncTasksTelemetry.Polls.Add(1, provider, new KeyValuePair<string, object?>("outcome", outcome));
                AsyncTasksTelemetry.PollDuration.Record(_time.GetElapsedTime(started).TotalSeconds, provider);
            }
        }
    }

    private HttpClient GetHttpClient(Provider provider)
    {
        // A client exists only once the options passed this check for its provider, and they are a private copy
        // that never changes: the check is needed only the first time.
        if (Volatile.Read(ref _created[(int)provider]) is { } created)
        {
            return created;
        }

        if (!_clients.TryGetValue(provider, out var client))
        {
            OptionsValidation.ThrowIfUnusable(_options, provider);
            client = _clients.GetOrAdd(provider, static (p, self) => new Lazy<HttpClient>(() => self._createClient(p)), this);
        }

        var http = client.Value;
        Volatile.Write(ref _created[(int)provider], http);
        return http;
    }

    private HttpClient Configure(HttpClient http, Provider provider)
    {
        http.BaseAddress = OptionsValidation.BaseUrl(_options, provider);
        http.Timeout = _options.RequestTimeout;
        AddUserAgent(http);
        return http;
    }

    private HttpClient ConfigureDownload(HttpClient http)
    {
        // Time to the response headers only: a large body may take longer, and it is streamed.
        http.Timeout = _options.RequestTimeout;
        AddUserAgent(http);
        return http;
    }

    private void AddUserAgent(HttpClient http)
    {
        if (!string.IsNullOrWhiteSpace(_options.UserAgent))
        {
            http.DefaultRequestHeaders.UserAgent.TryParseAdd(_options.UserAgent);
        }
    }
}
