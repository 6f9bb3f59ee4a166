using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Providers;

/// <summary>Duomi in the client tests: the id is a path segment, the key goes raw into Authorization.</summary>
internal sealed class DuomiCase() : ProviderCase(
    Provider.Duomi, "duomi", "b2b24d5d-ff10-989c-cf68-a893e7641759", "Authorization", string.Empty, TimeSpan.FromSeconds(2))
{
    public override bool IdIsPathSegment => true;

    public override IReadOnlyDictionary<string, TaskState> States => DuomiAdapter.States;

    public override IReadOnlyList<string> StatusFields => ["NanoBananaTask.state"];

    public override TaskOutputKind OutputKind => TaskOutputKind.Image;

    public override string QueuedBody() => Body("pending", null, string.Empty);

    public override string RunningBody() => Body("running", new JObject { ["images"] = new JArray() }, string.Empty);

    public override string SucceededBody(string outputUrl) => Body(
        "succeeded",
        new JObject { ["images"] = new JArray(new JObject { ["url"] = outputUrl, ["file_name"] = "out.png" }) },
        string.Empty);

    public override string FailedBody() => Body("error", null, "the prompt was rejected");

    public override string? UnknownBody() => Body("mystery-state", null, string.Empty);

    protected override string Path(string id) => "/api/gemini/nano-banana/" + Uri.EscapeDataString(id);

    private string Body(string state, JObject? data, string msg) => Json(new JObject
    {
        ["code"] = 200,
        ["msg"] = "success",
        ["data"] = new JObject
        {
            ["task_id"] = TaskId,
            ["state"] = state,
            ["data"] = data,
            ["create_time"] = "1767000210",
            ["update_time"] = "1767000231",
            ["msg"] = msg,
            ["status"] = "2",
            ["action"] = "generate",
        },
        ["exec_time"] = 0.02,
        ["ip"] = "203.0.113.10",
    });
}
