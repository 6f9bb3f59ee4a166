using AsyncTasks.Providers;
using static AsyncTasks.Tests.Providers.AdapterHarness;

namespace AsyncTasks.Tests.Providers;

/// <summary>What the gateways document and the adapters now read: SkyEngine's 400s, one rule for an empty success.</summary>
[TestFixture]
[Category("Providers")]
internal sealed class ContractGapTests
{
    private const string OperationName = "projects/p/locations/l/publishers/google/models/m/operations/o";

    [SetUp]
    public Task ResetServer() => ResetAsync();

    [Test]
    public async Task SkyEngineHttp400IsNotFoundOrAuthenticationWhereItsBodySaysSoElseProtocol()
    {
        var cases = new (string Body, TaskErrorKind Kind)[]
        {
            ("""{"error":{"code":2004,"message":"Operation does not exist"}}""", TaskErrorKind.NotFound),
            ("""{"error":{"code":2005,"message":"操作不存在"}}""", TaskErrorKind.NotFound),
            ("""{"error":{"code":404,"message":"Requested entity was not found."}}""", TaskErrorKind.NotFound),
            ("""{"error":{"code":2001,"message":"Permission denied on the operation"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"权限不足"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":403,"message":"The caller does not have access"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2004,"message":"No such operation"}}""", TaskErrorKind.NotFound),
            ("""{"error":{"code":2004,"message":"操作未找到"}}""", TaskErrorKind.NotFound),
            ("""{"error":{"code":401,"message":"Request had invalid credentials"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"Access denied"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"Missing permission for the model"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"Forbidden"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"Unauthorized"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"无权访问"}}""", TaskErrorKind.Authentication),
            ("""{"error":{"code":2001,"message":"Invalid argument: operation_id"}}""", TaskErrorKind.Protocol),
            ("""not json""", TaskErrorKind.Protocol),
        };
        foreach (var (body, kind) in cases)
        {
            await ResetAsync();
            var exception = Assert.ThrowsAsync<TaskClientException>(() => AnswerAndGetAsync(new SkyEngineAdapter(), OperationName, body, 400));
            Assert.That(exception.Kind, Is.EqualTo(kind), body);
            Assert.That(exception.HttpStatus, Is.EqualTo(400), body);
        }
    }

    [Test]
    public async Task ASucceededTaskWithNoUsableOutputIsFailedWithEmptyResultForAllFive()
    {
        var answers = new (ProviderAdapter Adapter, string Id, string Json)[]
        {
            (new MountseaAdapter(), "t1", """{"taskId":"t1","status":"completed","result":{}}"""),
            (new DuomiAdapter(), "t1", """{"code":200,"msg":"success","data":{"task_id":"t1","state":"succeeded","data":{"images":[{"url":""}]},"status":"3"}}"""),
            (new KexiangAdapter(), "33201", """{"id":33201,"task_status":"success","service_output":{"imgUrl":"not a url"}}"""),
            (new TencentVodAdapter(), "t1", """{"Response":{"TaskType":"AigcImageTask","Status":"FINISH","AigcImageTask":{"Status":"FINISH","ErrCode":0,"Output":{"FileInfos":[]}},"RequestId":"r1"}}"""),
            (new SkyEngineAdapter(), OperationName, """{"name":"x","done":true,"response":{"generatedVideos":[]}}"""),

            // No list at all: null where the list would be, or no output object.
            (new DuomiAdapter(), "t1", """{"code":200,"msg":"success","data":{"task_id":"t1","state":"succeeded","data":{"images":null},"status":"3"}}"""),
            (new TencentVodAdapter(), "t1", """{"Response":{"TaskType":"AigcVideoTask","Status":"FINISH","AigcVideoTask":{"Status":"FINISH","ErrCode":0},"RequestId":"r1"}}"""),
        };
        foreach (var (adapter, id, json) in answers)
        {
            var snapshot = await AnswerAndGetAsync(adapter, id, json);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(snapshot.State, Is.EqualTo(TaskState.Failed), adapter.Provider.GetName());
                Assert.That(snapshot.Error?.Code, Is.EqualTo("empty_result"), adapter.Provider.GetName());
                Assert.That(
                    snapshot.Error?.Message,
                    Is.EqualTo(adapter.Provider == Provider.SkyEngine ? "the operation finished without a video" : "the task finished without a usable output"),
                    "the provider's own reason, else the generic one: " + adapter.Provider.GetName());
                Assert.That(snapshot.Outputs, Is.Empty);
            }
        }
    }
}
