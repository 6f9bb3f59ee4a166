using System.Collections.Frozen;
using AsyncTasks.Generated;
using AsyncTasks.Generated.TencentVod;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Providers;

/// <summary>
/// A gateway in front of Tencent Cloud VOD <c>DescribeTaskDetail</c>: <c>GET /tencent-vod/v1/query/{task_id}</c>,
/// AIGC image and video tasks. Several gateways serve it, so there is no default base URL.
/// </summary>
internal sealed class TencentVodAdapter : ProviderAdapter<TaskDetailEnvelope>
{
    /// <summary>
    /// Raw <c>Response.Status</c> → state. FINISH also ends a failed task: it is refined by the task's
    /// ErrCode/ErrCodeExt (see <see cref="Finish"/>). There is no FAIL status.
    /// </summary>
    internal static IReadOnlyDictionary<string, TaskState> States { get; } = new Dictionary<string, TaskState>(StringComparer.Ordinal)
    {
        ["WAITING"] = TaskState.Queued,
        ["PROCESSING"] = TaskState.Running,
        ["FINISH"] = TaskState.Succeeded,
        ["ABORTED"] = TaskState.Cancelled,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string ImageTaskType = "AigcImageTask";
    private const string VideoTaskType = "AigcVideoTask";

    public override Provider Provider => Provider.TencentVod;

    public override string Name => "tencent-vod";

    public override Uri? DefaultBaseUrl => null;

    public override TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(2);

    public override ApiKeyScheme KeyScheme => ApiKeyScheme.Bearer;

    protected override Task<TaskDetailEnvelope> CallAsync(TaskRef task, HttpClient http, CancellationToken cancellationToken) =>
        new TencentVodClient(http) { ReadResponseAsString = true }.GetTaskDetailAsync(task.Id, cancellationToken);

    protected override TaskSnapshot Map(TaskRef task, TaskDetailEnvelope envelope, BinaryData? raw)
    {
        var detail = envelope.Response ?? throw Malformed("no 'Response'");
        var requestId = ProviderValues.NonEmpty(detail.RequestId);

        // Tencent reports API errors with HTTP 200.
        if (detail.Error is { } apiError)
        {
            throw InBandError(KindOfErrorCode(apiError.Code), ProviderValues.NonEmpty(apiError.Code), ProviderValues.NonEmpty(apiError.Message), requestId);
        }

        var aigc = SelectTask(detail);
        var rawStatus = detail.Status ?? aigc?.Status;
        if (rawStatus is null)
        {
            throw Malformed("no 'Response.Status'", requestId);
        }

        var state = ProviderValues.MapState(States, rawStatus);
        TaskError? error = null;
        if (state == TaskState.Succeeded)
        {
            (state, error) = Finish(aigc);
        }
        else if (state == TaskState.Cancelled)
        {
            error = ErrorOf(aigc);
        }

        return ProviderSnapshot.Create(
            task,
            state,
            rawStatus,
            ProviderValues.Progress(aigc?.Progress),
            state == TaskState.Succeeded && aigc is not null ? ReadOutputs(aigc) : [],
            error,
            ProviderValues.Time(detail.CreateTime),
            // An unfinished task sends the zero date (read as none); a finish time is reported only once it has ended.
            state.IsTerminal() ? ProviderValues.Time(detail.FinishTime) : null,
            requestId,
            raw);
    }

    /// <summary>An HTTP error from the gateway may still carry Tencent's <c>Response.Error</c>.</summary>
    protected override (string? Code, string? Message) ReadErrorBody(ApiException exception)
    {
        if (string.IsNullOrWhiteSpace(exception.Response))
        {
            return (null, null);
        }

        try
        {
            // Response may be any token (null, a string): indexing into one that is not an object throws.
            return JToken.Parse(exception.Response) is JObject body && body["Response"] is JObject response && response["Error"] is JObject apiError
                ? (ProviderValues.NonEmpty(apiError.Value<string>("Code")), ProviderValues.NonEmpty(apiError.Value<string>("Message")))
                : (null, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidCastException or FormatException)
        {
            return (null, null);
        }
    }

    /// <summary>The kind of an in-band Tencent error, from the prefix of its code.</summary>
    internal static TaskErrorKind KindOfErrorCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return TaskErrorKind.Protocol;
        }

        bool Starts(string prefix) => code.StartsWith(prefix, StringComparison.Ordinal);
        if (Starts("AuthFailure") || Starts("UnauthorizedOperation"))
        {
            return TaskErrorKind.Authentication;
        }

        if (Starts("ResourceNotFound")
            || (Starts("InvalidParameter") && code.Contains("TaskId", StringComparison.OrdinalIgnoreCase)))
        {
            return TaskErrorKind.NotFound;
        }

        if (Starts("RequestLimitExceeded"))
        {
            return TaskErrorKind.RateLimited;
        }

        return Starts("InternalError") || Starts("ResourceUnavailable") || Starts("FailedOperation")
            ? TaskErrorKind.Server
            : TaskErrorKind.Protocol;
    }

    /// <summary>
    /// FINISH is a success only with ErrCode 0/absent and ErrCodeExt empty/absent; otherwise a failure, except
    /// ErrCodeExt OperationCanceled (cancelled) and TaskTimeout (timed out).
    /// </summary>
    private static (TaskState State, TaskError? Error) Finish(AigcTask? aigc)
    {
        if (aigc is null || ((aigc.ErrCode ?? 0) == 0 && string.IsNullOrWhiteSpace(aigc.ErrCodeExt)))
        {
            return (TaskState.Succeeded, null);
        }

        var state = aigc.ErrCodeExt?.Trim() switch
        {
            "OperationCanceled" => TaskState.Cancelled,
            "TaskTimeout" => TaskState.TimedOut,
            _ => TaskState.Failed,
        };
        return (state, ErrorOf(aigc));
    }

    /// <summary>Code = ErrCodeExt, or ErrCode when that is empty (0 is no code); message = Message.</summary>
    private static TaskError ErrorOf(AigcTask? aigc)
    {
        var code = ProviderValues.NonEmpty(aigc?.ErrCodeExt?.Trim())
            ?? (aigc?.ErrCode is { } number and not 0 ? CodeText((long?)number) : null);
        return new TaskError(code, ProviderValues.NonEmpty(aigc?.Message));
    }

    /// <summary>The task object TaskType names; whichever is present when TaskType is missing or unknown.</summary>
    private static AigcTask? SelectTask(TaskDetail detail)
    {
        var image = detail.AigcImageTask is { } i
            ? new AigcTask(TaskOutputKind.Image, i.Status, i.ErrCode, i.ErrCodeExt, i.Message, i.Progress, i.Output?.FileInfos)
            : null;
        var video = detail.AigcVideoTask is { } v
            ? new AigcTask(TaskOutputKind.Video, v.Status, v.ErrCode, v.ErrCodeExt, v.Message, v.Progress, v.Output?.FileInfos)
            : null;
        return detail.TaskType switch
        {
            ImageTaskType when image is not null => image,
            VideoTaskType when video is not null => video,
            _ => image ?? video,
        };
    }

    private IReadOnlyList<TaskOutput> ReadOutputs(AigcTask aigc)
    {
        var outputs = new OutputList(Provider);
        foreach (var file in aigc.Files ?? [])
        {
            if (file is not null && ProviderValues.HttpUrl(file.FileUrl) is { } url)
            {
                outputs.Add(
                    KindOf(file.FileType) ?? aigc.Kind,
                    url,
                    fileName: ProviderValues.NonEmpty(file.MediaName),
                    expiresAt: ProviderValues.Time(file.ExpireTime));
            }
        }

        return outputs.ToList();
    }

    /// <summary>FileType, when it plainly says image or video (e.g. <c>video</c>, <c>image/png</c>), wins over the task type.</summary>
    private static TaskOutputKind? KindOf(string? fileType)
    {
        var type = fileType?.Trim();
        if (string.IsNullOrEmpty(type))
        {
            return null;
        }

        if (type.Equals("image", StringComparison.OrdinalIgnoreCase) || type.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return TaskOutputKind.Image;
        }

        return type.Equals("video", StringComparison.OrdinalIgnoreCase) || type.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            ? TaskOutputKind.Video
            : null;
    }

    /// <summary>What the image and the video task objects share (the generated types have no common base).</summary>
    private sealed record AigcTask(
        TaskOutputKind Kind,
        string? Status,
        int? ErrCode,
        string? ErrCodeExt,
        string? Message,
        int? Progress,
        ICollection<AigcFileInfo>? Files);
}
