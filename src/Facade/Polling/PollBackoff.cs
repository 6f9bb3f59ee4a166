namespace AsyncTasks;

/// <summary>
/// The delays between polls of one task: an initial interval growing by a factor to a cap, each delay spread by
/// ±jitter and lengthened to a provider's Retry-After (up to a cap). <see cref="ITaskClient.WaitAsync"/> and the
/// AsyncTasks.Hangfire tracker both schedule their polls with it, so a task is polled alike wherever it is waited for.
/// </summary>
/// <remarks>
/// Polling goes: poll, wait <c>Delay(interval, retryAfter)</c>, set <c>interval = Next(interval)</c>, poll again,
/// starting from <see cref="Initial"/>. The type holds no state of its own, so the interval can be stored between polls.
/// </remarks>
public sealed class PollBackoff
{
    private readonly double _multiplier;
    private readonly double _jitter;
    private readonly Func<double> _random;

    /// <summary>Creates the policy.</summary>
    /// <param name="initial">The first interval; the smaller of it and <paramref name="max"/> is used.</param>
    /// <param name="max">The longest interval.</param>
    /// <param name="multiplier">Factor by which the interval grows after each poll.</param>
    /// <param name="jitter">Random spread of every delay, as a fraction (0.2 = ±20%).</param>
    /// <param name="maxRetryAfter">The longest Retry-After honoured.</param>
    public PollBackoff(TimeSpan initial, TimeSpan max, double multiplier, double jitter, TimeSpan maxRetryAfter)
        : this(initial, max, multiplier, jitter, maxRetryAfter, random: null)
    {
    }

    internal PollBackoff(TimeSpan initial, TimeSpan max, double multiplier, double jitter, TimeSpan maxRetryAfter, Func<double>? random)
    {
        Initial = initial < max ? initial : max;
        Max = max;
        MaxRetryAfter = maxRetryAfter;
        _multiplier = multiplier;
        _jitter = jitter;
        _random = random ?? System.Random.Shared.NextDouble;
    }

    /// <summary>
    /// The policy of a wait for a task at <paramref name="provider"/>: the first interval is the wait's, else the
    /// provider's configured <see cref="ProviderOptions.PollInterval"/>, else the provider's default; growth, cap and
    /// jitter come from the wait, the Retry-After cap from <see cref="RetryOptions.MaxRetryAfter"/>.
    /// </summary>
    /// <param name="provider">The task's provider.</param>
    /// <param name="options">The client's options.</param>
    /// <param name="wait">The wait's options; when <see langword="null"/>, <see cref="AsyncTasksOptions.Wait"/>.</param>
    /// <returns>The policy.</returns>
    public static PollBackoff For(Provider provider, AsyncTasksOptions options, WaitOptions? wait = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        wait ??= options.Wait;
        var initial = wait.InitialInterval ?? options.For(provider).PollInterval ?? Providers.ProviderRegistry.Get(provider).DefaultPollInterval;
        return new PollBackoff(initial, wait.MaxInterval, wait.Multiplier, wait.Jitter, options.Retry.MaxRetryAfter);
    }

    /// <summary>The first interval.</summary>
    public TimeSpan Initial { get; }

    /// <summary>The longest interval.</summary>
    public TimeSpan Max { get; }

    /// <summary>The longest Retry-After honoured.</summary>
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>The interval after <paramref name="current"/>: grown by the factor, at most <see cref="Max"/>.</summary>
    /// <param name="current">The interval just used.</param>
    /// <returns>The next interval.</returns>
    public TimeSpan Next(TimeSpan current)
    {
        var next = current * _multiplier;
        return next < Max ? next : Max;
    }

    /// <summary>The interval spread uniformly over [1 - jitter, 1 + jitter].</summary>
    /// <param name="interval">The interval.</param>
    /// <returns>The jittered interval.</returns>
    public TimeSpan Jittered(TimeSpan interval) =>
        interval * (1 + (_jitter * ((2 * _random()) - 1)));

    /// <summary>
    /// How long to wait before the next poll: the jittered <paramref name="interval"/>, or the provider's
    /// Retry-After (at most <see cref="MaxRetryAfter"/>) when that is longer.
    /// </summary>
    /// <param name="interval">The current interval.</param>
    /// <param name="retryAfter">What the last failed read asked for (<see cref="TaskClientException.RetryAfter"/>), if anything.</param>
    /// <returns>The delay.</returns>
    public TimeSpan Delay(TimeSpan interval, TimeSpan? retryAfter)
    {
        var delay = Jittered(interval);
        if (retryAfter is { } asked)
        {
            var capped = asked < MaxRetryAfter ? asked : MaxRetryAfter;
            if (capped > delay)
            {
                delay = capped;
            }
        }

        return delay;
    }
}
