using AsyncTasks.Providers;
using AsyncTasks.Tests.Client;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// SkyEngine in the client tests: the id is the operation name, sent as a path of several segments; an operation has
/// no status text (only <c>done</c>) and no queued state.
/// </summary>
internal sealed class SkyEngineCase() : ProviderCase(
    Provider.SkyEngine,
    "skyengine",
    "projects/p/locations/l/publishers/google/models/veo-3.1-generate-preview/operations/123",
    "Authorization",
    "Bearer ",
    TimeSpan.FromSeconds(5))
{
    public override bool IdIsPathSegment => false;

    public override IReadOnlyDictionary<string, TaskState> States => SkyEngineAdapter.States;

    public override IReadOnlyList<string> StatusFields => [];

    public override IReadOnlyList<string> NotStatusFields => ["GenerateVideosResponse.@type"];

    public override TaskState QueuedState => TaskState.Running;

    public override TaskOutputKind OutputKind => TaskOutputKind.Video;

    public override string QueuedBody() => Body(done: false, null, null);

    public override string RunningBody() => Body(done: false, null, null);

    public override string SucceededBody(string outputUrl) => Body(
        done: true,
        new JObject { ["generatedVideos"] = new JArray(new JObject { ["uri"] = outputUrl, ["mimeType"] = "video/mp4" }) },
        null);

    public override string FailedBody() => Body(done: true, null, new JObject { ["code"] = 3, ["message"] = "the prompt was rejected" });

    public override string? UnknownBody() => null;

    protected override string Path(string id) => "/v1beta/" + id;

    private string Body(bool done, JObject? response, JObject? error)
    {
        var body = new JObject { ["name"] = TaskId, ["done"] = done };
        if (response is not null)
        {
            body["response"] = response;
        }

        if (error is not null)
        {
            body["error"] = error;
        }

        return Json(body);
    }
}
