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
    private readonly ConcurrentDictionary<TaskRef, PollLoop> _loops = new();

    /// <summary>The delays each running poll loop was started with: a waiter that joins it must ask for the same.</summary>
    private readonly ConditionalWeakTable<PollLoop, PollSettings> _loopSettings = new();
    private readonly HttpMessageHandler? _ownedTransport;
    private readonly IReadOnlyList<KeyBinding> _keys;
    private bool _disposed;

    /// <summary>Creates a client with its own HTTP connections.</summary>
    /// <param name="options">Keys, base URLs and behaviour. Validated now; copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of every delay; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="transport">
    /// The innermost HTTP handler (e.g. a proxy-configured <see cref="SocketsHttpHandler"/>); when <see langword="null"/>
    /// the client creates one. It must not follow redirects itself (the client follows them, and strips the key on the
    /// way): a <see cref="SocketsHttpHandler"/> or <see cref="HttpClientHandler"/> with <c>AllowAutoRedirect</c> true,
    /// directly or under delegating handlers, is refused. The client does not dispose it.
    /// </param>
    /// <exception cref="ArgumentException">The options are invalid (the message says what to set), or the transport follows redirects.</exception>
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
        if (transport is not null)
        {
            HttpPipeline.ThrowIfFollowsRedirects(transport);
        }

        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TaskClient>();
        _keys = OptionsValidation.KeyBindings(_options);

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
        var (adapter, http, read) = Resolve(task);
        return ReadAsync(adapter, http, read, cancellationToken);
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
    public IAsyncEnumerable<TaskSnapshot> WatchAsync(
        TaskRef task,
        WaitOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        // Checked now, as by every other method, not at the first MoveNextAsync.
        Resolve(task);
        OptionsValidation.ThrowIfInvalid(options ?? _options.Wait, nameof(options));
        return WatchCoreAsync(task, options, cancellationToken);
    }

    private async IAsyncEnumerable<TaskSnapshot> WatchCoreAsync(
        TaskRef task,
        WaitOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
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
        (var adapter, var http, task) = Resolve(task);
        var wait = options ?? _options.Wait;
        OptionsValidation.ThrowIfInvalid(wait, nameof(options));
        var backoff = PollBackoff.For(task.Provider, _options, wait);
        var settings = new PollSettings(backoff.Initial, backoff.Max, wait.Multiplier, wait.Jitter);

        var waiter = new Waiter(wait.Timeout, progress, channel, cancellationToken);
        while (true)
        {
            var created = false;
            var loop = _loops.GetOrAdd(task, key =>
            {
                created = true;
                var started = new PollLoop(
                    key,
                    (t, ct) => ReadAsync(adapter, http, t, ct),
                    backoff,
                    _time,
                    _logger,
                    closed => _loops.TryRemove(new KeyValuePair<TaskRef, PollLoop>(closed.Task, closed)));
                _loopSettings.AddOrUpdate(started, settings);
                return started;
            });

            // Concurrent waits share one loop, so its delays are the first waiter's: other delays would be ignored.
            if (!created && _loopSettings.TryGetValue(loop, out var running) && running != settings)
            {
                throw new InvalidOperationException(
                    $"A wait for {task} is already polling in this client with other delays ({running}); concurrent waits for one " +
                    "task share one poll loop. Pass the same WaitOptions (only Timeout may differ), or wait once it has ended.");
            }

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

    /// <summary>
    /// Checks a call's task before any I/O and finds its adapter and HTTP client. Every method of the client throws its
    /// argument and configuration errors here, synchronously, from the call itself.
    /// </summary>
    /// <summary>The task's adapter and client, and the task as it is read (completed from the options, its id checked).</summary>
    private (ProviderAdapter Adapter, HttpClient Http, TaskRef Task) Resolve(TaskRef task)
    {
        ArgumentNullException.ThrowIfNull(task);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var adapter = ProviderRegistry.Get(task.Provider);
        task = adapter.Complete(task, _options.For(task.Provider));
        adapter.ValidateId(task.Id);
        return (adapter, GetHttpClient(task.Provider), task);
    }

    private async Task<TaskSnapshot> ReadAsync(ProviderAdapter adapter, HttpClient http, TaskRef task, CancellationToken cancellationToken)
    {
        using var activity = AsyncTasksTelemetry.ActivitySource.StartActivity("AsyncTasks.Get");
        activity?.SetTag("asynctasks.provider", task.Provider.GetName());
        activity?.SetTag("asynctasks.task_id", task.Id);
        var started = _time.GetTimestamp();
        string outcome = "error";
        try
        {
            var snapshot = await adapter.GetAsync(task, http, cancellationToken, _time, _options.Answers.MaxOutputs).ConfigureAwait(false);
            outcome = snapshot.State.GetName();
            activity?.SetTag("asynctasks.state", outcome);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.TaskRead(_logger, task.ToString(), snapshot.State.GetName(), snapshot.ProviderState, snapshot.Progress);
            }

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
            var provider = new KeyValuePair<string, object?>("provider", task.Provider.GetName());
            AsyncTasksTelemetry.Polls.Add(1, provider, new KeyValuePair<string, object?>("outcome", outcome));
            AsyncTasksTelemetry.PollDuration.Record(_time.GetElapsedTime(started).TotalSeconds, provider);
        }
    }

    private HttpClient GetHttpClient(Provider provider)
    {
        OptionsValidation.ThrowIfUnusable(_options, provider);
        return _clients.GetOrAdd(provider, static (p, self) => new Lazy<HttpClient>(() => self._createClient(p)), this).Value;
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

    /// <summary>The application's product (if configured), then the library's: set once, copied into every request by HttpClient.</summary>
    private void AddUserAgent(HttpClient http)
    {
        if (!string.IsNullOrWhiteSpace(_options.UserAgent))
        {
            http.DefaultRequestHeaders.UserAgent.TryParseAdd(_options.UserAgent);
        }

        http.DefaultRequestHeaders.UserAgent.Add(HttpPipeline.Product);
    }

    /// <summary>The delays of a poll loop, compared when a waiter joins a running one.</summary>
    private sealed record PollSettings(TimeSpan Initial, TimeSpan Max, double Multiplier, double Jitter);
}
