using System.Collections.Frozen;
using AsyncTasks.Generated;
using AsyncTasks.Generated.Duomi;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace AsyncTasks.Providers;

/// <summary>Duomi: <c>GET /api/gemini/nano-banana/{id}</c>, Nano Banana image tasks in a <c>{code, msg, data}</c> envelope.</summary>
internal sealed class DuomiAdapter : ProviderAdapter<NanoBananaTaskEnvelope>
{
    /// <summary>Raw <c>data.state</c> → state. <c>data.status</c> (a numeric string) is undocumented and deliberately not mapped.</summary>
    internal static IReadOnlyDictionary<string, TaskState> States { get; } = new Dictionary<string, TaskState>(StringComparer.Ordinal)
    {
        ["pending"] = TaskState.Queued,
        ["running"] = TaskState.Running,
        ["succeeded"] = TaskState.Succeeded,
        ["error"] = TaskState.Failed,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // The key goes raw into Authorization, without "Bearer ".
    private static readonly ApiKeyScheme RawAuthorization = new("Authorization", string.Empty);

    public override Provider Provider => Provider.Duomi;

    public override string Name => "duomi";

    public override Uri? DefaultBaseUrl { get; } = new("https://duomiapi.com/");

    public override TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(2);

    public override ApiKeyScheme KeyScheme => RawAuthorization;

    protected override Task<NanoBananaTaskEnvelope> CallAsync(TaskRef task, HttpClient http, CancellationToken cancellationToken) =>
        new DuomiClient(http) { ReadResponseAsString = true }.GetNanoBananaTaskAsync(task.Id, cancellationToken);

    protected override TaskSnapshot Map(TaskRef task, NanoBananaTaskEnvelope envelope, BinaryData? raw)
    {
        // A missing code reads as 0, which no gateway sends: the body is not the envelope.
        if (envelope.Code == 0)
        {
            throw Malformed("no envelope 'code'");
        }

        // The envelope's code is the real outcome, even under HTTP 200.
        if (envelope.Code != 200)
        {
            throw InBandError(KindOfEnvelopeCode(envelope.Code), CodeText((long?)envelope.Code), ProviderValues.NonEmpty(envelope.Msg), null);
        }

        var data = envelope.Data ?? throw Malformed("code 200 without 'data'");
        if (data.State is null)
        {
            throw Malformed("no 'data.state'");
        }

        var state = ProviderValues.MapState(States, data.State);
        var error = state is TaskState.Failed or TaskState.Cancelled or TaskState.TimedOut
            ? new TaskError(null, ProviderValues.NonEmpty(data.Msg))
            : null;

        return ProviderSnapshot.Create(
            task,
            state,
            data.State,
            progress: null,
            state == TaskState.Succeeded ? ReadOutputs(data.Data) : [],
            error,
            ProviderValues.Time(data.Create_time),
            // update_time is the last change, which is the finish time only once the task has ended.
            state.IsTerminal() ? ProviderValues.Time(data.Update_time) : null,
            requestId: null,
            raw);
    }

    /// <summary>An HTTP error may still carry the envelope; its code and msg are the best explanation.</summary>
    protected override (string? Code, string? Message) ReadErrorBody(ApiException exception)
    {
        if (string.IsNullOrWhiteSpace(exception.Response))
        {
            return (null, null);
        }

        try
        {
            return JToken.Parse(exception.Response) is JObject body
                ? (ReadCode(body["code"]), body["msg"] is JValue { Type: JTokenType.String } msg ? ProviderValues.NonEmpty((string?)msg) : null)
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static TaskErrorKind KindOfEnvelopeCode(int code) => code switch
    {
        401 or 403 => TaskErrorKind.Authentication,
        404 => TaskErrorKind.NotFound,
        429 => TaskErrorKind.RateLimited,
        >= 500 and < 600 => TaskErrorKind.Server,
        _ => TaskErrorKind.Protocol,
    };

    private static string? ReadCode(JToken? code) => code switch
    {
        JValue { Type: JTokenType.Integer } number => CodeText((long?)number),
        JValue { Type: JTokenType.String } text => ProviderValues.NonEmpty((string?)text),
        JValue { Type: JTokenType.Float } number => CodeText((double?)number),
        _ => null,
    };

    /// <summary>The images; an unfinished or failed task has <c>data.data</c> null or no images, and entries without a usable URL are skipped.</summary>
    private IReadOnlyList<TaskOutput> ReadOutputs(NanoBananaResult? result)
    {
        var outputs = new OutputList(Provider);
        foreach (var image in result?.Images ?? [])
        {
            if (ProviderValues.HttpUrl(image?.Url) is { } url)
            {
                outputs.Add(TaskOutputKind.Image, url, fileName: ProviderValues.NonEmpty(image!.File_name));
            }
        }

        return outputs.ToList();
    }
}
