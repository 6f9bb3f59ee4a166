using System.Collections.Frozen;
using AsyncTasks.Generated;
using AsyncTasks.Generated.Kexiang;

namespace AsyncTasks.Providers;

/// <summary>Kexiang (可想AI): <c>GET /api/v1/user_task/get/passAuth/{id}</c>, Kbanana image tasks.</summary>
internal sealed class KexiangAdapter : ProviderAdapter<UserTask>
{
    /// <summary>Raw <c>task_status</c> → state. Only <c>success</c> is documented; the rest are seen in third-party integrations.</summary>
    internal static IReadOnlyDictionary<string, TaskState> States { get; } = new Dictionary<string, TaskState>(StringComparer.Ordinal)
    {
        ["pending"] = TaskState.Queued,
        ["running"] = TaskState.Running,
        ["processing"] = TaskState.Running,
        ["success"] = TaskState.Succeeded,
        ["failed"] = TaskState.Failed,
        ["failure"] = TaskState.Failed,
        ["error"] = TaskState.Failed,
        ["cancelled"] = TaskState.Cancelled,
        ["canceled"] = TaskState.Cancelled,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly ApiKeyScheme ApiKeyHeader = new("x-api-key", string.Empty);

    public override Provider Provider => Provider.Kexiang;

    public override string Name => "kexiang";

    // The page names no host; third-party integrations use this one. Configurable.
    public override Uri? DefaultBaseUrl { get; } = new("https://kexiangai.com/");

    public override TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(2);

    public override ApiKeyScheme KeyScheme => ApiKeyHeader;

    protected override Task<UserTask> CallAsync(TaskRef task, HttpClient http, CancellationToken cancellationToken) =>
        new KexiangClient(http) { ReadResponseAsString = true }.GetUserTaskAsync(task.Id, cancellationToken);

    protected override TaskSnapshot Map(TaskRef task, UserTask result, BinaryData? raw)
    {
        if (result.Task_status is null)
        {
            throw Malformed("no 'task_status'");
        }

        var state = ProviderValues.MapState(States, result.Task_status);
        var error = state is TaskState.Failed or TaskState.Cancelled or TaskState.TimedOut
            ? new TaskError(null, ProviderValues.NonEmpty(result.Service_output?.FailReason))
            : null;

        return ProviderSnapshot.Create(
            task,
            state,
            result.Task_status,
            progress: null,
            state == TaskState.Succeeded ? ReadOutputs(result.Service_output) : [],
            error,
            ProviderValues.Time(result.Created_at),
            // updated_at is the last change, which is the finish time only once the task has ended.
            state.IsTerminal() ? ProviderValues.Time(result.Updated_at) : null,
            requestId: null,
            raw);
    }

    protected override (string? Code, string? Message) ReadErrorBody(ApiException exception) =>
        exception is ApiException<ErrorResponse> { Result: { } body }
            ? (CodeText(body.Code), body.Msg)
            : (null, null);

    /// <summary>
    /// imgUrls when it lists anything, else imgUrl (imgUrl repeats the first of imgUrls), then videoUrl.
    /// cover_url is a listing picture and user_input.image_urls are inputs: neither is a result.
    /// </summary>
    private IReadOnlyList<TaskOutput> ReadOutputs(ServiceOutput? output)
    {
        var outputs = new OutputList(Provider);
        if (output is null)
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

        foreach (var url in output.ImgUrls ?? [])
        {
            Add(outputs, TaskOutputKind.Image, url);
        }

        if (outputs.Count == 0)
        {
            Add(outputs, TaskOutputKind.Image, output.ImgUrl);
        }

        Add(outputs, TaskOutputKind.Video, output.VideoUrl);
        return outputs.ToList();
    }
}
