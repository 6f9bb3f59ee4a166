using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncTasks.Hangfire.Worker;

/// <summary>Where a tracking host keeps its jobs and how fast it polls.</summary>
public sealed record TrackingHostSettings
{
    /// <summary>PostgreSQL connection string; <see langword="null"/> for Hangfire.InMemory.</summary>
    public string? Postgres { get; init; }

    /// <summary>The Hangfire schema in that database (one per test keeps tests apart).</summary>
    public string Schema { get; init; } = "hangfire";

    /// <summary>The stub every provider's base URL points at.</summary>
    public required Uri StubUrl { get; init; }

    public required string ApiKey { get; init; }

    /// <summary>The wait's first interval, and how often Hangfire looks for due scheduled jobs and new queued ones.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Hangfire workers; 0 for a client that only tracks (no server).</summary>
    public int Workers { get; init; } = 4;

    public string ServerName { get; init; } = "tracking-" + Environment.ProcessId;
}

/// <summary>A host as an application would write it: its own AddHangfire, AddAsyncTasks, AddAsyncTasksTracking and a handler.</summary>
public static class TrackingHost
{
    public static IHost Build(TrackingHostSettings settings, Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configure);
        // Hangfire's global filters that store or read something per job the tracker does not use (README, "Settings for
        // a busy tracking server"). Process-wide, like an application's own setup.
        GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
        GlobalJobFilters.Filters.Remove<StatisticsHistoryAttribute>();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var services = builder.Services;
        services.AddHangfire(c =>
        {
            c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (settings.Postgres is { } connection)
            {
                c.UsePostgreSqlStorage(
                    o => o.UseNpgsqlConnection(connection),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = settings.Schema,
                        QueuePollInterval = settings.PollInterval < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : settings.PollInterval,
                        PrepareSchemaIfNecessary = true,

                        // Long polling (LISTEN/NOTIFY) stays off: a run with it once left a fetched job unrun (docs/benchmarks.md).
                        // A server that dies mid-job (the benchmark kills one) leaves its fetched jobs and its locks:
                        // they are taken over after these (defaults 30 min and 10 min), longer than any poll or handler here.
                        UseSlidingInvisibilityTimeout = true,
                        InvisibilityTimeout = TimeSpan.FromSeconds(30),
                        DistributedLockTimeout = TimeSpan.FromSeconds(30),

                        // A distributed lock in 4 statements instead of 7 (Hangfire takes one per job state change).
                        UseNativeDatabaseTransactions = false,
                    });
            }
            else
            {
                c.UseInMemoryStorage();
            }
        });

        if (settings.Workers > 0)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = settings.Workers;
                o.SchedulePollingInterval = settings.PollInterval;
                o.ServerName = settings.ServerName;
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
        }

        services.AddAsyncTasks(o =>
        {
            foreach (var provider in ProviderNames.All)
            {
                o.For(provider).BaseUrl = settings.StubUrl;
                o.For(provider).ApiKey = settings.ApiKey;
            }

            o.Wait.InitialInterval = settings.PollInterval;
            o.Wait.MaxInterval = settings.PollInterval * 4;
        });
        services.AddAsyncTasksTracking();
        configure(services);
        return builder.Build();
    }
}
