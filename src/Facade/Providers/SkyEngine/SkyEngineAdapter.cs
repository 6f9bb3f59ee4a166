using System.Collections.Frozen;
using AsyncTasks.Generated;
using AsyncTasks.Generated.SkyEngine;

namespace AsyncTasks.Providers;

/// <summary>
/// SkyEngine TokenOps ModelHub: the long-running operation of a Veo video,
/// <c>GET /v1beta/projects/{p}/locations/{l}/publishers/{pub}/models/{m}/operations/{op}</c>. The task id is the
/// full operation name the submit call returned.
/// </summary>
internal sealed class SkyEngineAdapter : ProviderAdapter<GenerateVideosOperation>
{
    /// <summary>The expected form of a task id, for error messages.</summary>
    internal const string OperationNameForm =
        "projects/{project}/locations/{location}/publishers/{publisher}/models/{model}/operations/{operation}";

    /// <summary>
    /// The operation has no status text, only <c>done</c>: the snapshot reports <c>running</c> or <c>done</c>.
    /// <c>done</c> is refined by the body: an error or no video makes it a failure.
    /// </summary>
    internal static IReadOnlyDictionary<string, TaskState> States { get; } = new Dictionary<string, TaskState>(StringComparer.Ordinal)
    {
        [RunningText] = TaskState.Running,
        [DoneText] = TaskState.Succeeded,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string RunningText = "running";
    private const string DoneText = "done";

    private static readonly string[] CollectionNames = ["projects", "locations", "publishers", "models", "operations"];

    public override Provider Provider => Provider.SkyEngine;

    public override string Name => "skyengine";

    public override Uri? DefaultBaseUrl { get; } = new("https://model-api.skyengine.com.cn/");

    // Veo takes minutes; polling faster only spends the rate limit.
    public override TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(5);

    public override ApiKeyScheme KeyScheme => ApiKeyScheme.Bearer;

    /// <summary>
    /// Splits a full operation name into its five path segments. Each segment is sent as one escaped path
    /// segment, so a '/' can never travel as %2F. A malformed name is the caller's mistake: <see cref="ArgumentException"/>.
    /// </summary>
    internal static OperationName ParseOperationName(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var parts = id.Split('/');
        var valid = parts.Length == 2 * CollectionNames.Length;
        for (var i = 0; valid && i < CollectionNames.Length; i++)
        {
            var value = parts[(2 * i) + 1];
            valid = parts[2 * i] == CollectionNames[i] && value.Length > 0 && value.Trim().Length == value.Length && value is not ("." or "..");
        }

        return valid
            ? new OperationName(parts[1], parts[3], parts[5], parts[7], parts[9])
            : throw new ArgumentException(
                $"'{id}' is not a SkyEngine operation name. Expected the full name the submit call returned: {OperationNameForm}, every part non-empty.",
                nameof(id));
    }

    /// <summary>The id must be a full operation name (see <see cref="ParseOperationName"/>).</summary>
    public override void ValidateId(string id)
    {
        base.ValidateId(id);
        ParseOperationName(id);
    }

    /// <summary>The short form of an operation name (no publisher, no model), as SkyEngine's page shows it.</summary>
    internal const string ShortOperationNameForm = "projects/{project}/locations/{location}/operations/{operation}";

    /// <summary>
    /// A short operation name, <c>projects/{p}/locations/{l}/operations/{op}</c>, is completed with the model of the
    /// options (<see cref="ProviderOptions.Model"/>) and the publisher <c>google</c>; without a model it is refused,
    /// saying so. Any other id is left as it is (and checked by <see cref="ValidateId"/>).
    /// </summary>
    public override TaskRef Complete(TaskRef task, ProviderOptions options)
    {
        var parts = task.Id.Split('/');
        if (parts is not ["projects", { Length: > 0 } project, "locations", { Length: > 0 } location, "operations", { Length: > 0 } operation])
        {
            return task;
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new ArgumentException(
                $"'{task.Id}' is a short SkyEngine operation name ({ShortOperationNameForm}): it names no model. Set " +
                $"{AsyncTasksOptions.SectionName}:SkyEngine:Model to the model the task was submitted to (the publisher defaults to google), " +
                $"or pass the full name: {OperationNameForm}.",
                nameof(task));
        }

        return new TaskRef(
            Provider.SkyEngine,
            $"projects/{project}/locations/{location}/publishers/google/models/{options.Model.Trim()}/operations/{operation}");
    }

    protected override Task<GenerateVideosOperation> CallAsync(TaskRef task, HttpClient http, CancellationToken cancellationToken)
    {
        var name = ParseOperationName(task.Id);
        return new SkyEngineOperationReader(http) { ReadResponseAsString = true }.GetGenerateVideosOperationAsync(
            name.Project, name.Location, name.Publisher, name.Model, name.Operation, cancellationToken);
    }

    protected override TaskSnapshot Map(TaskRef task, GenerateVideosOperation operation, BinaryData? raw)
    {
        if (operation.Done != true)
        {
            return Snapshot(task, raw, TaskState.Running, RunningText, [], null);
        }

        if (operation.Error is { } error)
        {
            return Snapshot(
                task, raw, TaskState.Failed, DoneText, [], new TaskError(CodeText((long?)error.Code), ProviderValues.NonEmpty(error.Message)));
        }

        var outputs = ReadOutputs(operation.Response);
        return outputs.Count > 0
            ? Snapshot(task, raw, TaskState.Succeeded, DoneText, outputs, null, FinishedAt(operation.Response))
            : Snapshot(task, raw, TaskState.Failed, DoneText, [], NoVideoError(operation.Response));
    }

    /// <summary>The latest <c>generatedVideos[].createTime</c>: when the last video was made, so when the operation finished.</summary>
    private static DateTimeOffset? FinishedAt(GenerateVideosResponse? response)
    {
        DateTimeOffset? latest = null;
        foreach (var video in response?.GeneratedVideos ?? [])
        {
            if (ProviderValues.Time(video?.CreateTime) is { } made && (latest is null || made > latest))
            {
                latest = made;
            }
        }

        return latest;
    }

    protected override (string? Code, string? Message) ReadErrorBody(ApiException exception) =>
        exception is ApiException<ErrorResponse> { Result.Error: { } error }
            ? (CodeText((long?)error.Code), error.Message)
            : (null, null);

    /// <summary>
    /// SkyEngine answers HTTP 400 for "the operation does not exist" and "insufficient permission" alike (its error
    /// table): the body tells them apart, by a code that is an HTTP status (404; 401/403) or by the message. Any other
    /// 400 stays a protocol error.
    /// </summary>
    protected override TaskErrorKind KindOfError(int status, string? code, string? message)
    {
        if (status != 400)
        {
            return base.KindOfError(status, code, message);
        }

        bool Says(params string[] words) =>
            message is not null && words.Any(word => message.Contains(word, StringComparison.OrdinalIgnoreCase));
        if (code is "404" || Says("not found", "not exist", "no such", "不存在", "未找到"))
        {
            return TaskErrorKind.NotFound;
        }

        return code is "401" or "403" || Says("permission", "denied", "forbidden", "unauthorized", "权限", "无权")
            ? TaskErrorKind.Authentication
            : TaskErrorKind.Protocol;
    }

    private static TaskSnapshot Snapshot(
        TaskRef task,
        BinaryData? raw,
        TaskState state,
        string providerState,
        IReadOnlyList<TaskOutput> outputs,
        TaskError? error,
        DateTimeOffset? finishedAt = null) =>
        ProviderSnapshot.Create(task, state, providerState, null, outputs, error, null, finishedAt, null, raw);

    /// <summary>Done without a video: filtered by the responsible-AI filter when it says so, otherwise an empty result.</summary>
    private static TaskError NoVideoError(GenerateVideosResponse? response)
    {
        var gemini = response?.GenerateVideoResponse;
        var filtered = (response?.RaiMediaFilteredCount ?? 0) + (gemini?.RaiMediaFilteredCount ?? 0);
        if (filtered <= 0)
        {
            return new TaskError(ProviderSnapshot.EmptyResultCode, "the operation finished without a video");
        }

        var reasons = (response?.RaiMediaFilteredReasons ?? [])
            .Concat(gemini?.RaiMediaFilteredReasons ?? [])
            .Select(ProviderValues.NonEmpty)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new TaskError(
            "content_filtered",
            reasons.Count > 0 ? string.Join("; ", reasons) : "every video was removed by the content filter");
    }

    /// <summary>
    /// Videos in any of the four shapes Google's Veo APIs use: generatedVideos[] flat (the page) or with a nested
    /// video (Gen AI SDK), videos[] (Vertex AI), generateVideoResponse.generatedSamples[].video (Gemini API).
    /// </summary>
    private IReadOnlyList<TaskOutput> ReadOutputs(GenerateVideosResponse? response)
    {
        var outputs = new OutputList(Provider);
        if (response is null)
        {
            return outputs.ToList();
        }

        static void Add(OutputList outputs, string? uri, byte[]? bytes, string? mimeType)
        {
            mimeType = ProviderValues.NonEmpty(mimeType);
            if (VideoUrl(uri) is { } url)
            {
                outputs.Add(TaskOutputKind.Video, url, mimeType);
            }
            else if (bytes is { Length: > 0 })
            {
                outputs.AddInline(TaskOutputKind.Video, bytes, mimeType);
            }
        }

        foreach (var video in response.GeneratedVideos ?? [])
        {
            Add(
                outputs,
                ProviderValues.NonEmpty(video?.Uri) ?? video?.Video?.Uri,
                video?.VideoBytes is { Length: > 0 } flat ? flat : video?.Video?.VideoBytes,
                ProviderValues.NonEmpty(video?.MimeType) ?? video?.Video?.MimeType);
        }

        foreach (var video in response.Videos ?? [])
        {
            Add(outputs, video?.GcsUri, video?.BytesBase64Encoded, video?.MimeType);
        }

        foreach (var sample in response.GenerateVideoResponse?.GeneratedSamples ?? [])
        {
            Add(outputs, sample?.Video?.Uri, sample?.Video?.VideoBytes, sample?.Video?.MimeType);
        }

        return outputs.ToList();
    }

    /// <summary>Any absolute URL, gs:// included; not a bare path, which .NET on Unix would read as file://.</summary>
    private static Uri? VideoUrl(string? text) =>
        ProviderValues.AbsoluteUrl(text) is { IsFile: false } url ? url : null;

    /// <summary>The five path segments of an operation name.</summary>
    internal sealed record OperationName(string Project, string Location, string Publisher, string Model, string Operation);
}
