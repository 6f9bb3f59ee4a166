using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Providers;

/// <summary>A Tencent VOD gateway in the client tests: the id is a path segment, the key a bearer token.</summary>
internal sealed class TencentVodCase() : ProviderCase(
    Provider.TencentVod, "tencent-vod", "1392336703-AigcImageTask-47965947a83db42af4b1e3a74c243531t", "Authorization", "Bearer ", TimeSpan.FromSeconds(2))
{
    /// <summary>Tencent's name of the task id field (a constant, so analyzers do not read it as a member name).</summary>
    private const string TaskIdField = "TaskId";

    public override bool IdIsPathSegment => true;

    public override IReadOnlyDictionary<string, TaskState> States => TencentVodAdapter.States;

    public override IReadOnlyList<string> StatusFields => ["TaskDetail.Status", "AigcImageTask.Status", "AigcVideoTask.Status"];

    public override IReadOnlyList<string> NotStatusFields => ["TaskDetail.TaskType"];

    public override TaskOutputKind OutputKind => TaskOutputKind.Image;

    public override string UnknownRaw => "MYSTERY-STATE";

    public override string QueuedBody() => Body("WAITING", 0, null);

    public override string RunningBody() => Body("PROCESSING", 50, null);

    public override string SucceededBody(string outputUrl) => Body(
        "FINISH",
        100,
        new JObject { ["FileInfos"] = new JArray(new JObject { ["FileUrl"] = outputUrl, ["FileType"] = "image", ["MediaName"] = "out.png" }) });

    public override string FailedBody() => Json(new JObject
    {
        ["Response"] = new JObject
        {
            ["Status"] = "FINISH",
            ["TaskType"] = "AigcImageTask",
            ["RequestId"] = "req-tencent-f",
            ["AigcImageTask"] = new JObject
            {
                [TaskIdField] = TaskId,
                ["Status"] = "FINISH",
                ["ErrCode"] = 10001,
                ["ErrCodeExt"] = "InvalidPrompt",
                ["Message"] = "the prompt was rejected",
                ["Progress"] = 100,
            },
        },
    });

    public override string? UnknownBody() => Body("MYSTERY-STATE", null, null);

    protected override string Path(string id) => "/tencent-vod/v1/query/" + Uri.EscapeDataString(id);

    private string Body(string status, int? progress, JObject? output)
    {
        var task = new JObject { [TaskIdField] = TaskId, ["Status"] = status, ["ErrCode"] = 0, ["ErrCodeExt"] = string.Empty, ["Message"] = string.Empty };
        if (progress is { } p)
        {
            task["Progress"] = p;
        }

        if (output is not null)
        {
            task["Output"] = output;
        }

        return Json(new JObject
        {
            ["Response"] = new JObject
            {
                ["Status"] = status,
                ["TaskType"] = "AigcImageTask",
                ["RequestId"] = "req-tencent-" + status.ToLowerInvariant(),
                ["CreateTime"] = "2025-12-29T12:03:30Z",
                ["FinishTime"] = status == "FINISH" ? "2025-12-29T12:03:43Z" : "0000-00-00T00:00:00Z",
                ["AigcImageTask"] = task,
            },
        });
    }
}
