using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// What the tests need to know about one provider: its text name, a task id, where its read goes on the wire, how its
/// key is sent, response bodies for each state and which spec fields hold its status. One subclass per provider, in
/// its folder <c>Providers/&lt;Name&gt;/</c>; <see cref="All"/> finds them, and <c>ProviderCoverageTests</c> fails,
/// naming the provider, when one has none. The test name shows the provider name.
/// </summary>
internal abstract class ProviderCase
{
    protected ProviderCase(Provider provider, string name, string taskId, string keyHeader, string keyPrefix, TimeSpan defaultPollInterval)
    {
        Provider = provider;
        Name = name;
        TaskId = taskId;
        KeyHeader = keyHeader;
        KeyPrefix = keyPrefix;
        DefaultPollInterval = defaultPollInterval;
    }

    /// <summary>Every provider's case, in the order of <see cref="AsyncTasks.Provider"/>.</summary>
    public static IReadOnlyList<ProviderCase> All { get; } =
        [.. typeof(ProviderCase).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(ProviderCase)) && !type.IsAbstract)
            .Select(type => (ProviderCase)Activator.CreateInstance(type)!)
            .OrderBy(c => c.Provider)];

    /// <summary>The providers whose ids are sent as one path segment (the id encoding tests).</summary>
    public static IReadOnlyList<ProviderCase> PathSegmentIds => [.. All.Where(c => c.IdIsPathSegment)];

    /// <summary>The providers whose status is free text, so an unlisted value reads as <see cref="TaskState.Unknown"/>.</summary>
    public static IReadOnlyList<ProviderCase> WithStatusText => [.. All.Where(c => c.UnknownBody() is not null)];

    // The providers that tests about one provider's behaviour use by name.
    public static ProviderCase Mountsea => Of(Provider.Mountsea);

    public static ProviderCase Duomi => Of(Provider.Duomi);

    public static ProviderCase Kexiang => Of(Provider.Kexiang);

    public static ProviderCase TencentVod => Of(Provider.TencentVod);

    public static ProviderCase SkyEngine => Of(Provider.SkyEngine);

    public Provider Provider { get; }

    /// <summary>The text name users store and type (e.g. <c>tencent-vod</c>), written here independently of the adapter.</summary>
    public string Name { get; }

    public string TaskId { get; }

    public TaskRef Task => new(Provider, TaskId);

    /// <summary>The header that carries the key.</summary>
    public string KeyHeader { get; }

    /// <summary>Text before the key in <see cref="KeyHeader"/>.</summary>
    public string KeyPrefix { get; }

    public TimeSpan DefaultPollInterval { get; }

    /// <summary>A distinctive key for this provider, to find it anywhere it must not be.</summary>
    public string ApiKey => $"sk-test-SECRET-{Name}-9f8e7d6c5b4a";

    /// <summary>The spec, <c>specs/&lt;name&gt;.yaml</c>.</summary>
    public string SpecFile => Name + ".yaml";

    /// <summary>Whether the id is sent as one path segment (escaped), so the id encoding tests apply.</summary>
    public abstract bool IdIsPathSegment { get; }

    /// <summary>The adapter's table from raw status text to state.</summary>
    public abstract IReadOnlyDictionary<string, TaskState> States { get; }

    /// <summary>The spec's task-state fields, <c>Schema.property</c> under <c>components.schemas</c>, that <see cref="States"/> maps.</summary>
    public abstract IReadOnlyList<string> StatusFields { get; }

    /// <summary>The spec's fields with documented values that are not task states, so no table maps them.</summary>
    public virtual IReadOnlyList<string> NotStatusFields => [];

    /// <summary>The state <see cref="QueuedBody"/> reads as.</summary>
    public virtual TaskState QueuedState => TaskState.Queued;

    /// <summary>The kind of output <see cref="SucceededBody"/> describes.</summary>
    public abstract TaskOutputKind OutputKind { get; }

    /// <summary>The raw status an <see cref="UnknownBody"/> reports.</summary>
    public virtual string UnknownRaw => "mystery-state";

    /// <summary>The case of <paramref name="provider"/>.</summary>
    public static ProviderCase Of(Provider provider) =>
        All.SingleOrDefault(c => c.Provider == provider)
        ?? throw new InvalidOperationException($"{provider} has no test case (a ProviderCase subclass in Providers/{provider}/).");

    /// <summary>The path of a read of task <paramref name="id"/>, as encoded on the wire.</summary>
    public string PathOf(string? id = null) => Path(id ?? TaskId);

    /// <summary>Path and query of a read, exactly as the journal shows it.</summary>
    public string UrlOf(string? id = null) => Query(id ?? TaskId) is { } query ? PathOf(id) + "?" + query : PathOf(id);

    /// <summary>A stub that matches a read of task <paramref name="id"/> exactly (raw URL, as encoded).</summary>
    public WireMockStub Stub(string? id = null) => WireMockStub.ForUrl(HttpMethod.Get, UrlOf(id));

    public void Configure(AsyncTasksOptions options, Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.For(Provider);
        settings.BaseUrl = baseUrl;
        settings.ApiKey = ApiKey;
    }

    /// <summary>The queued state (or the first state the provider reports, <see cref="QueuedState"/>).</summary>
    public abstract string QueuedBody();

    /// <summary>The running state.</summary>
    public abstract string RunningBody();

    /// <summary>The succeeded state with one output at <paramref name="outputUrl"/>.</summary>
    public abstract string SucceededBody(string outputUrl);

    /// <summary>The failed state; its error message is "the prompt was rejected".</summary>
    public abstract string FailedBody();

    /// <summary>A status no mapping table lists (<see cref="UnknownRaw"/>); <see langword="null"/> when the provider has no status text.</summary>
    public abstract string? UnknownBody();

    public override string ToString() => Name;

    protected static string Json(JToken token) => token.ToString(Newtonsoft.Json.Formatting.None);

    /// <summary>The request path of a read of <paramref name="id"/>, as encoded on the wire.</summary>
    protected abstract string Path(string id);

    /// <summary>The query of a read of <paramref name="id"/>, as encoded on the wire; <see langword="null"/> for none.</summary>
    protected virtual string? Query(string id) => null;
}
