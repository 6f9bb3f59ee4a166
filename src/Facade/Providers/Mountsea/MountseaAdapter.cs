using System.Collections.Frozen;
using AsyncTasks.Generated;
using AsyncTasks.Generated.Mountsea;

namespace AsyncTasks.Providers;

/// <summary>Mountsea: <c>GET /gemini/task/result?taskId=</c>, Veo video and Nano Banana image tasks.</summary>
internal sealed class MountseaAdapter : ProviderAdapter<TaskResult>
{
    /// <summary>Raw <c>status</c> → state; documented values plus the third-party ones (queued, running, canceled).</summary>
    internal static IReadOnlyDictionary<string, TaskState> States { get; } = new Dictionary<string, TaskState>(StringComparer.Ordinal)
    {
        ["pending"] = TaskState.Queued,
        ["ready"] = TaskState.Queued,
        ["assigned"] = TaskState.Queued,
        ["queued"] = TaskState.Queued,
        ["processing"] = TaskState.Running,
        ["running"] = TaskState.Running,
        ["completed"] = TaskState.Succeeded,
        ["failed"] = TaskState.Failed,
        ["cancelled"] = TaskState.Cancelled,
        ["canceled"] = TaskState.Cancelled,
        ["timeout"] = TaskState.TimedOut,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public override Provider Provider => Provider.Mountsea;

    public override string Name => "mountsea";

    public override Uri? DefaultBaseUrl { get; } = new("https://api.mountsea.ai/");

    // A sibling Mountsea API recommends polling every 3–5 s.
    public override TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(3);

    public override ApiKeyScheme KeyScheme => ApiKeyScheme.Bearer;

    protected override Task<TaskResult> CallAsync(TaskRef task, HttpClient http, CancellationToken cancellationToken) =>
        new MountseaClient(http) { ReadResponseAsString = true }.GetTaskResultAsync(task.Id, cancellationToken);

    protected override TaskSnapshot Map(TaskRef task, TaskResult result, BinaryData? raw)
    {
        if (result.Status is null)
        {
            throw Malformed("no 'status'", result.TraceId);
        }

        var state = ProviderValues.MapState(States, result.Status);
        var error = state is TaskState.Failed or TaskState.Cancelled or TaskState.TimedOut
            ? new TaskError(CodeText(result.ErrorCode), ProviderValues.NonEmpty(result.ErrorMessage))
            : null;

        return ProviderSnapshot.Create(
            task,
            state,
            result.Status,
            progress: null,
            state == TaskState.Succeeded ? ReadOutputs(result.Result) : [],
            error,
            ProviderValues.Time(result.CreatedAt),
            state.IsTerminal() ? ProviderValues.Time(result.FinishedAt) : null,
            ProviderValues.NonEmpty(result.TraceId),
            raw);
    }

    protected override (string? Code, string? Message) ReadErrorBody(ApiException exception) =>
        exception is ApiException<ErrorResponse> { Result: { } body }
            ? (CodeText(body.StatusCode), body.Message)
            : (null, null);

    /// <summary>
    /// <c>result</c> is passed through from the task type: video tasks carry videoUrl or videoUrls, image tasks
    /// imageUrls. Never image_urls: those are the input images of an edit.
    /// </summary>
    private IReadOnlyList<TaskOutput> ReadOutputs(Generated.Mountsea.TaskOutput? result)
    {
        var outputs = new OutputList(Provider);
        if (result is null)
        {
            return outputs.ToList();
        }

        static void Add(OutputList outputs, TaskOutputKind kind, string? text)
        {
            if (ProviderValues.HttpUrl(text) is { } url)
            {
                outputs.Add(kind, url);
            }
        }

        Add(outputs, TaskOutputKind.Video, result.VideoUrl);
        foreach (var url in result.VideoUrls ?? [])
        {
            Add(outputs, TaskOutputKind.Video, url);
        }

        foreach (var url in result.ImageUrls ?? [])
        {
            Add(outputs, TaskOutputKind.Image, url);
        }

        return outputs.ToList();
    }
}
