using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Providers;

/// <summary>Kexiang in the client tests: the id is a path segment, the key goes into x-api-key.</summary>
internal sealed class KexiangCase() : ProviderCase(
    Provider.Kexiang, "kexiang", "33201", "x-api-key", string.Empty, TimeSpan.FromSeconds(2))
{
    public override bool IdIsPathSegment => true;

    public override IReadOnlyDictionary<string, TaskState> States => KexiangAdapter.States;

    public override IReadOnlyList<string> StatusFields => ["UserTask.task_status"];

    public override TaskOutputKind OutputKind => TaskOutputKind.Image;

    public override string QueuedBody() => Json(new JObject { ["id"] = 33201, ["task_status"] = "pending", ["service_output"] = null });

    public override string RunningBody() => Json(new JObject { ["id"] = 33201, ["task_status"] = "running", ["service_output"] = null });

    public override string SucceededBody(string outputUrl) => Json(new JObject
    {
        ["id"] = 33201,
        ["task_status"] = "success",
        ["service_output"] = new JObject { ["imgUrl"] = outputUrl, ["imgUrls"] = null, ["videoUrl"] = null, ["taskId"] = 33201 },
    });

    public override string FailedBody() => Json(new JObject
    {
        ["id"] = 33201,
        ["task_status"] = "failed",
        ["service_output"] = new JObject { ["failReason"] = "the prompt was rejected" },
    });

    public override string? UnknownBody() => Json(new JObject { ["id"] = 33201, ["task_status"] = "mystery-state", ["service_output"] = null });

    protected override string Path(string id) => "/api/v1/user_task/get/passAuth/" + Uri.EscapeDataString(id);
}
