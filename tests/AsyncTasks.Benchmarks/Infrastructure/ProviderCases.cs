using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using AsyncTasks.Generated.Duomi;
using AsyncTasks.Generated.Kexiang;
using AsyncTasks.Generated.Mountsea;
using AsyncTasks.Generated.SkyEngine;
using AsyncTasks.Generated.TencentVod;

namespace AsyncTasks.Benchmarks.Infrastructure;

/// <summary>
/// One provider as the benchmarks use it: its documented success example (read from its spec), a task id from
/// the spec's parameter examples, and three ways to read the task — the facade, the raw generated client, and a
/// hand-written baseline (HttpClient + System.Text.Json into a minimal record).
/// </summary>
public sealed class ProviderCase
{
    /// <summary>The key every benchmark configures; never a real one.</summary>
    public const string ApiKey = "bench-key-0123456789";

    private ProviderCase(
        string name,
        Provider provider,
        string specFile,
        string exampleName,
        string taskId,
        Func<HttpClient, string, CancellationToken, Task<object>> generated,
        Func<HttpClient, string, CancellationToken, Task<object>> handWritten,
        Action<HttpClient> addKey)
    {
        Name = name;
        Provider = provider;
        SpecFile = specFile;
        ExampleName = exampleName;
        TaskId = taskId;
        Generated = generated;
        HandWritten = handWritten;
        AddKey = addKey;
    }

    /// <summary>The provider's text name, e.g. <c>duomi</c>.</summary>
    public string Name { get; }

    public Provider Provider { get; }

    public string SpecFile { get; }

    /// <summary>The response example read from the spec (its first documented success).</summary>
    public string ExampleName { get; }

    public string TaskId { get; }

    public TaskRef Task => new(Provider, TaskId);

    /// <summary>Reads the task with the provider's generated client over <c>http</c> (its BaseAddress set).</summary>
    public Func<HttpClient, string, CancellationToken, Task<object>> Generated { get; }

    /// <summary>Reads the task with HttpClient + System.Text.Json into a minimal record.</summary>
    public Func<HttpClient, string, CancellationToken, Task<object>> HandWritten { get; }

    /// <summary>Adds the key to a raw HttpClient's default headers, as the provider expects it.</summary>
    public Action<HttpClient> AddKey { get; }

    /// <summary>The example body, as UTF-8 JSON.</summary>
    public byte[] ExampleBody => SpecExamples.ResponseBody(SpecFile, ExampleName);

    /// <summary>Every provider, in the order of <see cref="AsyncTasks.Provider"/>.</summary>
    public static IReadOnlyList<ProviderCase> All { get; } = Create();

    public static IEnumerable<string> Names => All.Select(c => c.Name);

    public static ProviderCase Get(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No provider case '{name}'.", nameof(name));

    /// <summary>Facade options with every provider configured on <paramref name="baseUrl"/> with <see cref="ApiKey"/>.</summary>
    public static AsyncTasksOptions Options(Uri baseUrl)
    {
        var options = new AsyncTasksOptions();
        foreach (var provider in ProviderNames.All.Select(options.For))
        {
            provider.BaseUrl = baseUrl;
            provider.ApiKey = ApiKey;
        }

        return options;
    }

    /// <summary>A raw HttpClient on <paramref name="handler"/> with the base address and the provider's key header.</summary>
    public HttpClient CreateRawClient(HttpMessageHandler handler, Uri baseUrl)
    {
        var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseUrl };
        AddKey(http);
        return http;
    }

    private static List<ProviderCase> Create()
    {
        static Action<HttpClient> Header(string name, string value) =>
            http => http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);

        var bearer = Header("Authorization", "Bearer " + ApiKey);

        // SkyEngine's task id is the full operation name, built from the spec's five path parameter examples.
        const string sky = "skyengine.yaml";
        var operationName =
            $"projects/{SpecExamples.Parameter(sky, "project_id")}/locations/{SpecExamples.Parameter(sky, "location")}" +
            $"/publishers/{SpecExamples.Parameter(sky, "publisher")}/models/{SpecExamples.Parameter(sky, "model")}" +
            $"/operations/{SpecExamples.Parameter(sky, "operation_id")}";

        return
        [
            new(
                "mountsea", Provider.Mountsea, "mountsea.yaml", "videoCompleted",
                SpecExamples.Parameter("mountsea.yaml", "taskId"),
                async (http, id, ct) => await new MountseaClient(http).GetTaskResultAsync(id, ct).ConfigureAwait(false),
                async (http, id, ct) => await GetJsonAsync(http, "gemini/task/result?taskId=" + Uri.EscapeDataString(id), BaselineJson.Default.MountseaResult, ct).ConfigureAwait(false),
                bearer),
            new(
                "duomi", Provider.Duomi, "duomi.yaml", "succeeded",
                SpecExamples.Parameter("duomi.yaml", "id"),
                async (http, id, ct) => await new DuomiClient(http).GetNanoBananaTaskAsync(id, ct).ConfigureAwait(false),
                async (http, id, ct) => await GetJsonAsync(http, "api/gemini/nano-banana/" + Uri.EscapeDataString(id), BaselineJson.Default.DuomiEnvelope, ct).ConfigureAwait(false),
                Header("Authorization", ApiKey)),
            new(
                "kexiang", Provider.Kexiang, "kexiang.yaml", "success",
                SpecExamples.Parameter("kexiang.yaml", "id"),
                async (http, id, ct) => await new KexiangClient(http).GetUserTaskAsync(id, ct).ConfigureAwait(false),
                async (http, id, ct) => await GetJsonAsync(http, "api/v1/user_task/get/passAuth/" + Uri.EscapeDataString(id), BaselineJson.Default.KexiangTask, ct).ConfigureAwait(false),
                Header("x-api-key", ApiKey)),
            new(
                "tencent-vod", Provider.TencentVod, "tencent-vod.yaml", "imageFinished",
                SpecExamples.Parameter("tencent-vod.yaml", "task_id"),
                async (http, id, ct) => await new TencentVodClient(http).GetTaskDetailAsync(id, ct).ConfigureAwait(false),
                async (http, id, ct) => await GetJsonAsync(http, "tencent-vod/v1/query/" + Uri.EscapeDataString(id), BaselineJson.Default.TencentEnvelope, ct).ConfigureAwait(false),
                bearer),
            new(
                "skyengine", Provider.SkyEngine, sky, "doneSeedShape",
                operationName,
                async (http, id, ct) =>
                {
                    var p = id.Split('/');
                    return await new SkyEngineClient(http).GetGenerateVideosOperationAsync(p[1], p[3], p[5], p[7], p[9], ct).ConfigureAwait(false);
                },
                async (http, id, ct) =>
                {
                    var p = id.Split('/');
                    var path = $"v1beta/projects/{Uri.EscapeDataString(p[1])}/locations/{Uri.EscapeDataString(p[3])}/publishers/{Uri.EscapeDataString(p[5])}/models/{Uri.EscapeDataString(p[7])}/operations/{Uri.EscapeDataString(p[9])}";
                    return await GetJsonAsync(http, path, BaselineJson.Default.SkyOperation, ct).ConfigureAwait(false);
                },
                bearer),
        ];
    }

    /// <summary>The hand-written baseline: GET, check the status, deserialize the stream with source-generated System.Text.Json.</summary>
    private static async Task<object> GetJsonAsync<T>(HttpClient http, string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(JsonAccept);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, type, ct).ConfigureAwait(false)
                ?? throw new JsonException("null body");
        }
    }

    private static readonly MediaTypeWithQualityHeaderValue JsonAccept = new("application/json");

    public override string ToString() => Name;
}

// Minimal records of the hand-written baseline: only what a caller needs (state, outputs, times, error).
public sealed record DuomiEnvelope(int Code, string? Msg, DuomiTask? Data);

public sealed record DuomiTask(
    [property: JsonPropertyName("task_id")] string? TaskId,
    string? State,
    DuomiResult? Data,
    [property: JsonPropertyName("create_time")] string? CreateTime,
    [property: JsonPropertyName("update_time")] string? UpdateTime,
    string? Msg);

public sealed record DuomiResult(IReadOnlyList<DuomiImage>? Images);

public sealed record DuomiImage(string? Url, [property: JsonPropertyName("file_name")] string? FileName);

public sealed record MountseaResult(
    string? TaskId, string? Status, MountseaOutput? Result, DateTimeOffset? CreatedAt, DateTimeOffset? FinishedAt, string? TraceId, string? ErrorMessage);

public sealed record MountseaOutput(string? VideoUrl, IReadOnlyList<string>? VideoUrls, IReadOnlyList<string>? ImageUrls);

public sealed record KexiangTask(
    long Id,
    [property: JsonPropertyName("task_status")] string? TaskStatus,
    [property: JsonPropertyName("service_output")] KexiangOutput? ServiceOutput,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset? UpdatedAt);

public sealed record KexiangOutput(string? ImgUrl, IReadOnlyList<string>? ImgUrls, string? VideoUrl, string? FailReason);

public sealed record TencentEnvelope(TencentDetail? Response);

public sealed record TencentDetail(
    string? Status, string? TaskType, string? RequestId, string? CreateTime, string? FinishTime, TencentAigcTask? AigcImageTask, TencentAigcTask? AigcVideoTask);

public sealed record TencentAigcTask(string? Status, int? Progress, int? ErrCode, string? ErrCodeExt, string? Message, TencentOutput? Output);

public sealed record TencentOutput(IReadOnlyList<TencentFile>? FileInfos);

public sealed record TencentFile(string? FileUrl, string? ExpireTime, string? FileType);

public sealed record SkyOperation(string? Name, bool? Done, SkyResponse? Response, SkyError? Error);

public sealed record SkyResponse(IReadOnlyList<SkyVideo>? GeneratedVideos);

public sealed record SkyVideo(string? Uri, string? MimeType);

public sealed record SkyError(int? Code, string? Message);

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(DuomiEnvelope))]
[JsonSerializable(typeof(MountseaResult))]
[JsonSerializable(typeof(KexiangTask))]
[JsonSerializable(typeof(TencentEnvelope))]
[JsonSerializable(typeof(SkyOperation))]
public sealed partial class BaselineJson : JsonSerializerContext;
