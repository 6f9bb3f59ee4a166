using AsyncTasks.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AsyncTasks with a service collection.</summary>
public static class AsyncTasksServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AsyncTasks.ITaskClient"/> as a singleton whose HTTP clients come from
    /// <c>IHttpClientFactory</c>, with options bound from <paramref name="configuration"/> (typically the
    /// <c>AsyncTasks</c> section) and then adjusted by <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <c>Duomi:ApiKey</c> and the like.</param>
    /// <param name="configure">Further changes to the options, applied after binding.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAsyncTasks(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<AsyncTasks.AsyncTasksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AsyncTasks.AsyncTasksOptions>()
            .Bind(configuration)
            .Configure(options =>
            {
                // Each provider's settings from its own section, AsyncTasks:<Provider> (e.g. AsyncTasks:Duomi:ApiKey).
                foreach (var provider in AsyncTasks.ProviderNames.All)
                {
                    configuration.GetSection(provider.ToString()).Bind(options.For(provider));
                }
            });
        return services.AddAsyncTasks(configure ?? (_ => { }));
    }

    /// <summary>
    /// Registers <see cref="AsyncTasks.ITaskClient"/> as a singleton whose HTTP clients come from
    /// <c>IHttpClientFactory</c>, with options set by <paramref name="configure"/>. Options are validated when
    /// the client is first resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets keys, base URLs and behaviour.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddAsyncTasks(
        this IServiceCollection services,
        Action<AsyncTasks.AsyncTasksOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AsyncTasks.AsyncTasksOptions>().Configure(configure);
        services.TryAddSingleton(TimeProvider.System);

        foreach (var provider in AsyncTasks.ProviderNames.All)
        {
            AddPipeline(services, AsyncTasks.TaskClient.HttpClientName(provider), provider);
        }

        AddPipeline(services, AsyncTasks.TaskClient.DownloadClientName, null);

        services.TryAddSingleton<AsyncTasks.ITaskClient>(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new AsyncTasks.TaskClient(
                sp.GetRequiredService<IOptions<AsyncTasks.AsyncTasksOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>(),
                factory.CreateClient,
                transport: null);
        });
        return services;
    }

    private static void AddPipeline(IServiceCollection services, string name, AsyncTasks.Provider? provider)
    {
        // RemoveAllLoggers: the factory's own request logging keeps every header's raw value (the API key) in its
        // structured state at Trace, even where its message shows "*"; the pipeline logs requests itself.
        var builder = services.AddHttpClient(name)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => HttpPipeline.CreateTransport(
                sp.GetRequiredService<IOptions<AsyncTasks.AsyncTasksOptions>>().Value.AcceptCompressedResponses));

        // One chain per handler lifetime; the order is the one HttpPipeline documents.
        for (var index = 0; index < HttpPipeline.HandlerCount(provider); index++)
        {
            var position = index;
            builder.AddHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<AsyncTasks.AsyncTasksOptions>>().Value;
                var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<AsyncTasks.TaskClient>();
                return HttpPipeline.CreateHandlers(
                    provider,
                    AsyncTasks.OptionsValidation.KeyBindings(options),
                    options,
                    sp.GetRequiredService<TimeProvider>(),
                    logger)[position];
            });
        }
    }
}
