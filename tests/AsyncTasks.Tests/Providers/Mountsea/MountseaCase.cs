using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Providers;

/// <summary>Mountsea in the client tests: the id goes in the query, the key as a bearer token.</summary>
internal sealed class MountseaCase() : ProviderCase(
    Provider.Mountsea, "mountsea", "7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10", "Authorization", "Bearer ", TimeSpan.FromSeconds(3))
{
    public override bool IdIsPathSegment => false;

    public override IReadOnlyDictionary<string, TaskState> States => MountseaAdapter.States;

    public override IReadOnlyList<string> StatusFields => ["TaskResult.status"];

    public override TaskOutputKind OutputKind => TaskOutputKind.Video;

    public override string QueuedBody() =>
        Json(new JObject { ["taskId"] = TaskId, ["status"] = "pending", ["result"] = null, ["traceId"] = "trace-q" });

    public override string RunningBody() =>
        Json(new JObject { ["taskId"] = TaskId, ["status"] = "processing", ["result"] = null, ["traceId"] = "trace-r" });

    public override string SucceededBody(string outputUrl) => Json(new JObject
    {
        ["taskId"] = TaskId,
        ["status"] = "completed",
        ["result"] = new JObject { ["videoUrl"] = outputUrl },
        ["createdAt"] = "2026-03-02T08:15:30.000Z",
        ["finishedAt"] = "2026-03-02T08:17:02.000Z",
        ["traceId"] = "trace-s",
    });

    public override string FailedBody() => Json(new JObject
    {
        ["taskId"] = TaskId,
        ["status"] = "failed",
        ["result"] = null,
        ["errorCode"] = 4001,
        ["errorMessage"] = "the prompt was rejected",
        ["traceId"] = "trace-f",
    });

    public override string? UnknownBody() => Json(new JObject { ["taskId"] = TaskId, ["status"] = "mystery-state", ["result"] = null });

    protected override string Path(string id) => "/gemini/task/result";

    protected override string? Query(string id) => "taskId=" + Uri.EscapeDataString(id);
}
