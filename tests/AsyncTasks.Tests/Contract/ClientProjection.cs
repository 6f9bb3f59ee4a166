using AsyncTasks.Tests.Infrastructure.Json;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;
using Newtonsoft.Json.Linq;
using KiotaApiException = Microsoft.Kiota.Abstractions.ApiException;
using NSwagApiException = AsyncTasks.Generated.ApiException;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// What one generated client read from a response, as a JSON tree both clients can be compared on:
/// <c>{"threw": false, "body": …}</c> for a returned model, <c>{"threw": true, "httpStatus": n, "body": …}</c> for an
/// API error (the typed error body, else the raw body NSwag keeps; Kiota keeps no raw body), and
/// <c>{"threw": true, "failure": "…"}</c> for anything else. NSwag's DTOs are serialized with Newtonsoft (their
/// AdditionalProperties inline), Kiota's models with Kiota's own JSON writer (their AdditionalData inline).
/// Shared by the differential contract tests and the client comparison benchmark.
/// </summary>
internal static class ClientProjection
{
    /// <summary>The NSwag client's outcome.</summary>
    public static JObject FromNSwag(object? result, Exception? exception) => exception switch
    {
        null => Returned(JsonText.FromObject(result)),
        NSwagApiException api => Threw(api.StatusCode, NSwagErrorBody(api)),
        _ => Failed(exception),
    };

    /// <summary>The Kiota client's outcome.</summary>
    public static JObject FromKiota(object? result, Exception? exception) => exception switch
    {
        null => Returned(result is IParsable parsable ? KiotaJson(parsable) : JValue.CreateNull()),
        KiotaApiException api => Threw(api.ResponseStatusCode, api is IParsable error ? KiotaJson(error) : null),
        _ => Failed(exception),
    };

    /// <summary>
    /// Every leaf on which the two outcomes differ, both ways, as "location: explanation" (numbers, dates and
    /// null-versus-absent compare as <see cref="JsonSubsetComparer"/> does); empty when they read the same.
    /// </summary>
    public static IReadOnlyList<string> Differences(JToken nswag, JToken kiota)
    {
        ArgumentNullException.ThrowIfNull(nswag);
        ArgumentNullException.ThrowIfNull(kiota);
        var differences = JsonSubsetComparer.FindMismatches(nswag, kiota).Select(m => "NSwag→Kiota " + m).ToList();
        differences.AddRange(JsonSubsetComparer.FindMismatches(kiota, nswag).Select(m => "Kiota→NSwag " + m));
        return differences;
    }

    /// <summary>A Kiota model written by Kiota's JSON serialization writer, read back as a tree.</summary>
    public static JToken KiotaJson(IParsable model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var writer = new JsonSerializationWriter();
        writer.WriteObjectValue(null, model);
        using var stream = writer.GetSerializedContent();
        using var reader = new StreamReader(stream);
        return JsonText.Parse(reader.ReadToEnd());
    }

    private static JToken? NSwagErrorBody(NSwagApiException exception)
    {
        var type = exception.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(AsyncTasks.Generated.ApiException<>))
        {
            return JsonText.FromObject(type.GetProperty(nameof(AsyncTasks.Generated.ApiException<object>.Result))!.GetValue(exception));
        }

        try
        {
            return exception.Response is { } raw ? JsonText.Parse(raw) : null;
        }
        catch (Newtonsoft.Json.JsonReaderException)
        {
            return exception.Response;
        }
    }

    private static JObject Returned(JToken body) => new() { ["threw"] = false, ["body"] = body };

    private static JObject Threw(int status, JToken? body) => new() { ["threw"] = true, ["httpStatus"] = status, ["body"] = body };

    private static JObject Failed(Exception exception) => new() { ["threw"] = true, ["failure"] = exception.GetType().Name + ": " + exception.Message };
}
