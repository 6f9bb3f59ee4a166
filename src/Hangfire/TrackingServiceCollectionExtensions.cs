using AsyncTasks.Hangfire;
using global::Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the AsyncTasks tracker with a service collection.</summary>
public static class TrackingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITaskTracker"/> and its Hangfire job. Call it next to the application's own
    /// <c>AddHangfire(...)</c> (which chooses the storage) and <c>AddAsyncTasks(...)</c> (keys, base URLs, wait
    /// delays), and register an <see cref="ITaskCompletionHandler"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// Polls go through a <see cref="AsyncTasks.TaskClient"/> of the tracker's own, built from the same
    /// <see cref="AsyncTasks.AsyncTasksOptions"/> with <c>Retry:MaxRetries</c> set to 0: one poll job makes one HTTP
    /// request, and a transient failure reschedules the poll instead of sleeping in a Hangfire worker.
    /// </remarks>
    public static IServiceCollection AddAsyncTasksTracking(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new TrackingRuntime(
            sp.GetRequiredService<JobStorage>(),
            sp.GetRequiredService<IBackgroundJobClient>(),
            sp.GetRequiredService<IOptionsFactory<AsyncTasks.AsyncTasksOptions>>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ITaskTracker>(sp => new TaskTracker(sp.GetRequiredService<TrackingRuntime>()));
        services.TryAddTransient(sp => new TrackingJob(sp.GetRequiredService<TrackingRuntime>(), sp.GetRequiredService<IServiceScopeFactory>()));
        return services;
    }
}
