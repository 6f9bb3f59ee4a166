namespace AsyncTasks;

/// <summary>Settings of a <see cref="TaskClient"/>: one <see cref="ProviderOptions"/> per provider plus shared settings.</summary>
/// <remarks>Bound from configuration section <c>AsyncTasks</c> by <c>AddAsyncTasks</c>; validated when the client is created.</remarks>
public sealed class AsyncTasksOptions
{
    /// <summary>The configuration section <c>AddAsyncTasks(IConfiguration)</c> reads by default.</summary>
    public const string SectionName = "AsyncTasks";

    /// <summary>One settings object per provider, each bound from <c>AsyncTasks:&lt;Provider&gt;</c> (e.g. <c>AsyncTasks:Duomi:ApiKey</c>).</summary>
    private Dictionary<Provider, ProviderOptions> _providers = ProviderNames.All.ToDictionary(p => p, _ => new ProviderOptions());

    /// <summary>How failed requests are retried.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>Defaults for <see cref="ITaskClient.WaitAsync"/> when a call passes no <see cref="WaitOptions"/>.</summary>
    public WaitOptions Wait { get; set; } = new();

    /// <summary>Bounds on what one answer of a provider's API may hold.</summary>
    public AnswerLimits Answers { get; set; } = new();

    /// <summary>Largest output <see cref="ITaskClient.DownloadAsync"/> accepts, in bytes. Default 1 GiB.</summary>
    public long MaxDownloadBytes { get; set; } = 1L << 30;

    /// <summary>How long one HTTP request may take before it fails with <see cref="TaskErrorKind.Timeout"/>. Default 100 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Text added to the User-Agent header, e.g. your application's name and version.</summary>
    public string? UserAgent { get; set; }

    /// <summary>
    /// Whether requests ask for compressed responses (gzip, deflate, Brotli; decompressed as they are read). Default
    /// <see langword="false"/>: a task's answer is a few hundred bytes, and decompressing it costs the client more CPU
    /// per poll than the bytes save. Turn it on for a slow or metered link, or when outputs arrive inline (base64)
    /// and are large. Applies to the transport the library creates, not to one passed in.
    /// </summary>
    public bool AcceptCompressedResponses { get; set; }

    /// <summary>
    /// The settings of <paramref name="provider"/>, to read or change, e.g.
    /// <c>options.For(Provider.Duomi).ApiKey = key</c>. Configuration binds them from <c>AsyncTasks:&lt;Provider&gt;</c>.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <returns>Its settings object (never <see langword="null"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined provider.</exception>
    public ProviderOptions For(Provider provider) =>
        _providers.TryGetValue(provider, out var settings)
            ? settings
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a defined provider.");

    /// <summary>A deep copy, so that the caller's later changes do not reach a running client.</summary>
    internal AsyncTasksOptions Clone()
    {
        var copy = (AsyncTasksOptions)MemberwiseClone();
        copy._providers = _providers.ToDictionary(p => p.Key, p => p.Value.Copy());
        copy.Retry = Retry.Copy();
        copy.Wait = Wait.Copy();
        copy.Answers = Answers.Copy();
        return copy;
    }
}

/// <summary>Settings of one provider.</summary>
public sealed class ProviderOptions
{
    /// <summary>A copy, field by field (the settings hold only values).</summary>
    internal ProviderOptions Copy() => (ProviderOptions)MemberwiseClone();

    /// <summary>
    /// The provider's base URL. When unset, the provider's published one is used (there is none for
    /// <see cref="Provider.TencentVod"/>). Requests carry the key only to this origin.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The API key. Never logged, never shown by <c>ToString()</c>, never sent to another origin.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Allows an <c>http://</c> base URL on a host other than loopback, which would send the key in clear text.
    /// Default <see langword="false"/>.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>The first delay between polls of a wait; when unset, the provider's default (2 s image gateways, 3 s Mountsea, 5 s Veo).</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>
    /// The model of task ids that name none: a SkyEngine operation name in the short form
    /// <c>projects/{p}/locations/{l}/operations/{op}</c> is read as that of this model (publisher <c>google</c>).
    /// Other providers ignore it.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>Whether an API key is set. The key itself is never shown.</summary>
    public bool HasApiKey => !string.IsNullOrEmpty(ApiKey);

    /// <summary>The base URL and whether a key is set; never the key.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"BaseUrl = {BaseUrl?.ToString() ?? "(default)"}, ApiKey = {(HasApiKey ? "(set)" : "(not set)")}";
}

/// <summary>How requests that failed for a transient reason (HTTP 408, 424, 429, 5xx, connection failures) are retried.</summary>
public sealed class RetryOptions
{
    /// <summary>A copy, field by field (the settings hold only values).</summary>
    internal RetryOptions Copy() => (RetryOptions)MemberwiseClone();

    /// <summary>Retries of one request after its first attempt. Default 3; 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry, doubled for each next one (with jitter). Default 1 s.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between retries when the provider sends no Retry-After. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest Retry-After honoured. A provider asking for longer is waited for this long at most (a single
    /// request then fails; a wait keeps polling). Default 5 minutes.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Bounds on what one answer of a provider's API may hold. An answer beyond one fails with
/// <see cref="TaskErrorKind.Protocol"/>, and the message names the limit. Downloads have their own,
/// <see cref="AsyncTasksOptions.MaxDownloadBytes"/>.
/// </summary>
public sealed class AnswerLimits
{
    /// <summary>A copy, field by field (the settings hold only values).</summary>
    internal AnswerLimits Copy() => (AnswerLimits)MemberwiseClone();

    /// <summary>Largest answer body, in bytes. Default 128 MiB (a SkyEngine answer may carry a video inline, in base64).</summary>
    public long MaxBytes { get; set; } = 128L << 20;

    /// <summary>Most outputs one answer may list. Default 1,000.</summary>
    public int MaxOutputs { get; set; } = 1000;

    /// <summary>Deepest nesting of JSON objects and arrays. Default 64.</summary>
    public int MaxDepth { get; set; } = 64;
}

/// <summary>How <see cref="ITaskClient.WaitAsync"/> polls.</summary>
public sealed class WaitOptions
{
    /// <summary>A copy, field by field (the settings hold only values).</summary>
    internal WaitOptions Copy() => (WaitOptions)MemberwiseClone();

    /// <summary>How long to wait in all before giving up with <see cref="TaskWaitTimeoutException"/>. Default 30 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The first delay between polls; when unset, the provider's <see cref="ProviderOptions.PollInterval"/> or default.</summary>
    public TimeSpan? InitialInterval { get; set; }

    /// <summary>Longest delay between polls. Default 30 s.</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Factor by which the delay grows after each poll. Default 1.5.</summary>
    public double Multiplier { get; set; } = 1.5;

    /// <summary>Random spread applied to every delay, as a fraction (0.2 = ±20%). Default 0.2.</summary>
    public double Jitter { get; set; } = 0.2;
}
