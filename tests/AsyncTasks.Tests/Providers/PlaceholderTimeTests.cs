using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// A zero or placeholder time in any provider's time field reads as "no time": the rest of the answer is still read.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class PlaceholderTimeTests
{
    private static readonly string[] Placeholders = ["0000-00-00T00:00:00Z", "0000-00-00 00:00:00", "0000-00-00", "", " ", "0"];

    /// <summary>A succeeded answer of each provider with every time field set to <c>{T}</c>.</summary>
    private static readonly (ProviderAdapter Adapter, string Id, string Json)[] Answers =
    [
        (new MountseaAdapter(), "t1", """{"taskId":"t1","status":"completed","result":{"videoUrl":"https://cdn.example.com/a.mp4"},"createdAt":"{T}","finishedAt":"{T}"}"""),
        (new DuomiAdapter(), "t1", """{"code":200,"msg":"success","data":{"task_id":"t1","state":"succeeded","data":{"images":[{"url":"https://cdn.example.com/a.png"}]},"create_time":"{T}","update_time":"{T}","msg":"","status":"3"}}"""),
        (new KexiangAdapter(), "33201", """{"id":33201,"created_at":"{T}","updated_at":"{T}","task_status":"success","service_output":{"imgUrl":"https://cdn.example.com/x.png"}}"""),
        (new TencentVodAdapter(), "t1", """{"Response":{"TaskType":"AigcImageTask","Status":"FINISH","CreateTime":"{T}","FinishTime":"{T}","AigcImageTask":{"Status":"FINISH","ErrCode":0,"Output":{"FileInfos":[{"FileUrl":"https://cdn.example.com/a.png","ExpireTime":"{T}"}]}},"RequestId":"r1"}}"""),
        (new SkyEngineAdapter(), "projects/p/locations/l/publishers/google/models/m/operations/o", """{"name":"projects/p/locations/l/publishers/google/models/m/operations/o","done":true,"response":{"generatedVideos":[{"uri":"https://cdn.example.com/a.mp4","mimeType":"video/mp4","createTime":"{T}"}]}}"""),
    ];

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public async Task APlaceholderTimeInAnyTimeFieldReadsAsNoTime()
    {
        foreach (var (adapter, id, json) in Answers)
        {
            foreach (var placeholder in Placeholders)
            {
                var label = $"{adapter.Provider.GetName()} '{placeholder}'";

                var snapshot = await AnswerAndGetAsync(adapter, id, json.Replace("{T}", placeholder, StringComparison.Ordinal));

                using (Assert.EnterMultipleScope())
                {
                    Assert.That(snapshot.State, Is.EqualTo(TaskState.Succeeded), label);
                    Assert.That(snapshot.Outputs, Has.Count.EqualTo(1), label);
                    Assert.That(snapshot.CreatedAt, Is.Null, label);
                    Assert.That(snapshot.FinishedAt, Is.Null, label);
                    Assert.That(snapshot.Outputs.Select(o => o.ExpiresAt), Is.All.Null, label);
                }
            }
        }
    }

    [Test]
    public async Task SkyEnginesVideoCreateTimeIsTheFinishTime()
    {
        // Two videos: the later one was made last, when the operation finished.
        var snapshot = await AnswerAndGetAsync(
            new SkyEngineAdapter(),
            "projects/p/locations/l/publishers/google/models/m/operations/o",
            """{"name":"projects/p/locations/l/publishers/google/models/m/operations/o","done":true,"response":{"generatedVideos":[{"uri":"https://cdn.example.com/a.mp4","createTime":"2026-02-01T10:00:05Z"},{"uri":"https://cdn.example.com/b.mp4","createTime":"2026-02-01T18:00:00+08:00"}]}}""");

        Assert.That(snapshot.FinishedAt, Is.EqualTo(new DateTimeOffset(2026, 2, 1, 10, 0, 5, TimeSpan.Zero)));
    }
}
