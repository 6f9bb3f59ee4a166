using AsyncTasks.Tests.Infrastructure.WireMock;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Tests.Client;

/// <summary>
/// What the client tests need to know about one provider: a task id, where its read goes on the wire, how its key
/// is sent, and response bodies for each state. One instance per provider; the test name shows the provider name.
/// </summary>
internal sealed class ProviderCase
{
    /// <summary>Tencent's name of the task id field (a constant, so analyzers do not read it as a member name).</summary>
    private const string TencentTaskIdField = "TaskId";

    private readonly Func<string, string> _path;
    private readonly Func<string, string?> _query;

    private ProviderCase(
        Provider provider,
        string taskId,
        Func<string, string> path,
        Func<string, string?> query,
        string keyHeader,
        string keyPrefix,
        TimeSpan defaultPollInterval)
    {
        Provider = provider;
        TaskId = taskId;
        _path = path;
        _query = query;
        KeyHeader = keyHeader;
        KeyPrefix = keyPrefix;
        DefaultPollInterval = defaultPollInterval;
    }

    public static ProviderCase Mountsea { get; } = new(
        Provider.Mountsea,
        "7f3c2a9e-5d41-4b8e-9a60-2c1d8e4f7b10",
        _ => "/gemini/task/result",
        id => "taskId=" + Uri.EscapeDataString(id),
        "Authorization",
        "Bearer ",
        TimeSpan.FromSeconds(3));

    public static ProviderCase Duomi { get; } = new(
        Provider.Duomi,
        "b2b24d5d-ff10-989c-cf68-a893e7641759",
        id => "/api/gemini/nano-banana/" + Uri.EscapeDataString(id),
        _ => null,
        "Authorization",
        string.Empty,
        TimeSpan.FromSeconds(2));

    public static ProviderCase Kexiang { get; } = new(
        Provider.Kexiang,
        "33201",
        id => "/api/v1/user_task/get/passAuth/" + Uri.EscapeDataString(id),
        _ => null,
        "x-api-key",
        string.Empty,
        TimeSpan.FromSeconds(2));

    public static ProviderCase TencentVod { get; } = new(
        Provider.TencentVod,
        "1392336703-AigcImageTask-47965947a83db42af4b1e3a74c243531t",
        id => "/tencent-vod/v1/query/" + Uri.EscapeDataString(id),
        _ => null,
        "Authorization",
        "Bearer ",
        TimeSpan.FromSeconds(2));

    public static ProviderCase SkyEngine { get; } = new(
        Provider.SkyEngine,
        "projects/p/locations/l/publishers/google/models/veo-3.1-generate-preview/operations/123",
        id => "/v1beta/" + id,
        _ => null,
        "Authorization",
        "Bearer ",
        TimeSpan.FromSeconds(5));

    /// <summary>The five providers.</summary>
    public static IReadOnlyList<ProviderCase> All { get; } = [Mountsea, Duomi, Kexiang, TencentVod, SkyEngine];

    /// <summary>The providers whose ids are sent as one path segment (the id encoding tests).</summary>
    public static IReadOnlyList<ProviderCase> PathSegmentIds { get; } = [Duomi, Kexiang, TencentVod];

    /// <summary>The providers whose status is free text, so an unlisted value reads as <see cref="TaskState.Unknown"/>.</summary>
    public static IReadOnlyList<ProviderCase> WithStatusText { get; } = [Mountsea, Duomi, Kexiang, TencentVod];

    public Provider Provider { get; }

    public string Name => Provider.GetName();

    public string TaskId { get; }

    public TaskRef Task => new(Provider, TaskId);

    /// <summary>The header that carries the key.</summary>
    public string KeyHeader { get; }

    /// <summary>Text before the key in <see cref="KeyHeader"/>.</summary>
    public string KeyPrefix { get; }

    public TimeSpan DefaultPollInterval { get; }

    /// <summary>A distinctive key for this provider, to find it anywhere it must not be.</summary>
    public string ApiKey => $"sk-test-SECRET-{Name}-9f8e7d6c5b4a";

    /// <summary>The path of a read of task <paramref name="id"/>, as encoded on the wire.</summary>
    public string PathOf(string? id = null) => _path(id ?? TaskId);

    /// <summary>Path and query of a read, exactly as the journal shows it.</summary>
    public string UrlOf(string? id = null) => _query(id ?? TaskId) is { } query ? PathOf(id) + "?" + query : PathOf(id);

    /// <summary>A stub that matches a read of task <paramref name="id"/> exactly (raw URL, as encoded).</summary>
    public WireMockStub Stub(string? id = null) => WireMockStub.ForUrl(HttpMethod.Get, UrlOf(id));

    public void Configure(AsyncTasksOptions options, Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.For(Provider);
        settings.BaseUrl = baseUrl;
        settings.ApiKey = ApiKey;
    }

    /// <summary>The queued state (for SkyEngine, which has none, running).</summary>
    public string QueuedBody() => Provider switch
    {
        Provider.Mountsea => Json(new JObject { ["taskId"] = TaskId, ["status"] = "pending", ["result"] = null, ["traceId"] = "trace-q" }),
        Provider.Duomi => DuomiBody("pending", null, string.Empty),
        Provider.Kexiang => Json(new JObject { ["id"] = 33201, ["task_status"] = "pending", ["service_output"] = null }),
        Provider.TencentVod => TencentBody("WAITING", 0, null),
        _ => SkyBody(done: false, null, null),
    };

    public TaskState QueuedState => Provider == Provider.SkyEngine ? TaskState.Running : TaskState.Queued;

    /// <summary>The running state.</summary>
    public string RunningBody() => Provider switch
    {
        Provider.Mountsea => Json(new JObject { ["taskId"] = TaskId, ["status"] = "processing", ["result"] = null, ["traceId"] = "trace-r" }),
        Provider.Duomi => DuomiBody("running", new JObject { ["images"] = new JArray() }, string.Empty),
        Provider.Kexiang => Json(new JObject { ["id"] = 33201, ["task_status"] = "running", ["service_output"] = null }),
        Provider.TencentVod => TencentBody("PROCESSING", 50, null),
        _ => SkyBody(done: false, null, null),
    };

    /// <summary>The succeeded state with one output at <paramref name="outputUrl"/>.</summary>
    public string SucceededBody(string outputUrl) => Provider switch
    {
        Provider.Mountsea => Json(new JObject
        {
            ["taskId"] = TaskId,
            ["status"] = "completed",
            ["result"] = new JObject { ["videoUrl"] = outputUrl },
            ["createdAt"] = "2026-03-02T08:15:30.000Z",
            ["finishedAt"] = "2026-03-02T08:17:02.000Z",
            ["traceId"] = "trace-s",
        }),
        Provider.Duomi => DuomiBody(
            "succeeded",
            new JObject { ["images"] = new JArray(new JObject { ["url"] = outputUrl, ["file_name"] = "out.png" }) },
            string.Empty),
        Provider.Kexiang => Json(new JObject
        {
            ["id"] = 33201,
            ["task_status"] = "success",
            ["service_output"] = new JObject { ["imgUrl"] = outputUrl, ["imgUrls"] = null, ["videoUrl"] = null, ["taskId"] = 33201 },
        }),
        Provider.TencentVod => TencentBody(
            "FINISH",
            100,
            new JObject { ["FileInfos"] = new JArray(new JObject { ["FileUrl"] = outputUrl, ["FileType"] = "image", ["MediaName"] = "out.png" }) }),
        _ => SkyBody(
            done: true,
            new JObject { ["generatedVideos"] = new JArray(new JObject { ["uri"] = outputUrl, ["mimeType"] = "video/mp4" }) },
            null),
    };

    /// <summary>The kind of output <see cref="SucceededBody"/> describes.</summary>
    public TaskOutputKind OutputKind => Provider is Provider.Mountsea or Provider.SkyEngine ? TaskOutputKind.Video : TaskOutputKind.Image;

    /// <summary>The failed state; its error message is "the prompt was rejected".</summary>
    public string FailedBody() => Provider switch
    {
        Provider.Mountsea => Json(new JObject
        {
            ["taskId"] = TaskId,
            ["status"] = "failed",
            ["result"] = null,
            ["errorCode"] = 4001,
            ["errorMessage"] = "the prompt was rejected",
            ["traceId"] = "trace-f",
        }),
        Provider.Duomi => DuomiBody("error", null, "the prompt was rejected"),
        Provider.Kexiang => Json(new JObject
        {
            ["id"] = 33201,
            ["task_status"] = "failed",
            ["service_output"] = new JObject { ["failReason"] = "the prompt was rejected" },
        }),
        Provider.TencentVod => Json(new JObject
        {
            ["Response"] = new JObject
            {
                ["Status"] = "FINISH",
                ["TaskType"] = "AigcImageTask",
                ["RequestId"] = "req-tencent-f",
                ["AigcImageTask"] = new JObject
                {
                    [TencentTaskIdField] = TaskId,
                    ["Status"] = "FINISH",
                    ["ErrCode"] = 10001,
                    ["ErrCodeExt"] = "InvalidPrompt",
                    ["Message"] = "the prompt was rejected",
                    ["Progress"] = 100,
                },
            },
        }),
        _ => SkyBody(done: true, null, new JObject { ["code"] = 3, ["message"] = "the prompt was rejected" }),
    };

    /// <summary>A status no mapping table lists; <see langword="null"/> for SkyEngine, which has no status text.</summary>
    public string? UnknownBody() => Provider switch
    {
        Provider.Mountsea => Json(new JObject { ["taskId"] = TaskId, ["status"] = "mystery-state", ["result"] = null }),
        Provider.Duomi => DuomiBody("mystery-state", null, string.Empty),
        Provider.Kexiang => Json(new JObject { ["id"] = 33201, ["task_status"] = "mystery-state", ["service_output"] = null }),
        Provider.TencentVod => TencentBody("MYSTERY-STATE", null, null),
        _ => null,
    };

    /// <summary>The raw status an <see cref="UnknownBody"/> reports.</summary>
    public string UnknownRaw => Provider == Provider.TencentVod ? "MYSTERY-STATE" : "mystery-state";

    public override string ToString() => Name;

    private static string Json(JToken token) => token.ToString(Newtonsoft.Json.Formatting.None);

    private string DuomiBody(string state, JObject? data, string msg) => Json(new JObject
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

    private string TencentBody(string status, int? progress, JObject? output)
    {
        var task = new JObject { [TencentTaskIdField] = TaskId, ["Status"] = status, ["ErrCode"] = 0, ["ErrCodeExt"] = string.Empty, ["Message"] = string.Empty };
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

    private string SkyBody(bool done, JObject? response, JObject? error)
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
