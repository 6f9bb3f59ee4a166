using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AsyncTasks.Hangfire.Worker;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Hangfire.Tests;

/// <summary>A Hangfire host with the tracker on one storage (PostgreSQL in a fresh schema, or in memory), and what the tests read from it.</summary>
internal sealed class TrackingHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private TrackingHarness(IHost host, TrackingHostSettings settings, RecordingHandler handler)
    {
        _host = host;
        Settings = settings;
        Handler = handler;
    }

    public TrackingHostSettings Settings { get; }

    public RecordingHandler Handler { get; }

    public ITaskTracker Tracker => _host.Services.GetRequiredService<ITaskTracker>();

    public JobStorage Storage => _host.Services.GetRequiredService<JobStorage>();

    public IBackgroundJobClient Jobs => _host.Services.GetRequiredService<IBackgroundJobClient>();

    public static TrackingHostSettings SettingsFor(string storage, Stub stub, string? schema = null, TimeSpan? interval = null, int workers = 4) => new()
    {
        Postgres = storage == "postgres" ? AssemblySetUp.Postgres.ConnectionString() : null,
        Schema = schema ?? "t_" + Guid.NewGuid().ToString("N")[..12],
        StubUrl = stub.Url,
        ApiKey = Stub.ApiKey,
        PollInterval = interval ?? TimeSpan.FromMilliseconds(20),
        Workers = workers,
    };

    public static async Task<TrackingHarness> StartAsync(TrackingHostSettings settings, RecordingHandler? handler = null, Action<IServiceCollection>? configure = null)
    {
        handler ??= new RecordingHandler();
        var host = TrackingHost.Build(settings, services =>
        {
            services.AddSingleton<ITaskCompletionHandler>(handler);
            configure?.Invoke(services);
        });
        await host.StartAsync().ConfigureAwait(false);
        return new TrackingHarness(host, settings, handler);
    }

    /// <summary>Waits until the tracking's status satisfies <paramref name="condition"/>.</summary>
    public async Task<TrackingStatus> WaitForStatusAsync(string trackingId, Func<TrackingStatus, bool> condition, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await Tracker.GetStatusAsync(trackingId).ConfigureAwait(false);
            if (status is not null && condition(status))
            {
                return status;
            }

            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Tracking {trackingId} did not reach the expected status; last {status}.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}

/// <summary>Collects the tracker's measurements (asynctasks.tracking.*) while alive.</summary>
internal sealed class TrackingMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();

    public TrackingMeasurements()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "AsyncTasks" && instrument.Name.StartsWith("asynctasks.tracking.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var outcome = string.Empty;
            foreach (var tag in tags)
            {
                if (tag.Key == "asynctasks.outcome")
                {
                    outcome = tag.Value?.ToString() ?? string.Empty;
                }
            }

            Totals.AddOrUpdate((instrument.Name, outcome), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public ConcurrentDictionary<(string Instrument, string Outcome), long> Totals { get; } = new();

    public long Sum(string instrument) => Totals.Where(t => t.Key.Instrument == instrument).Sum(t => t.Value);

    public long Get(string instrument, string outcome = "") => Totals.GetValueOrDefault((instrument, outcome));

    public void Dispose() => _listener.Dispose();
}

/// <summary>Keeps every formatted log line (to check what the tracker logs, and that no key is in it).</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(CollectingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
    }
}
