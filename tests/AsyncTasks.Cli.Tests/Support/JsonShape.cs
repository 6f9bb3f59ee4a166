using System.Text.Json;
using System.Text.RegularExpressions;

namespace AsyncTasks.Cli.Tests.Support;

/// <summary>Checks the documented --json shapes: exact keys in order, value types, allowed values.</summary>
internal static partial class JsonShape
{
    public static readonly string[] SnapshotKeys =
        ["provider", "taskId", "status", "providerStatus", "progress", "outputs", "error", "createdAt", "finishedAt", "requestId"];

    public static readonly string[] OutputKeys = ["kind", "url", "mimeType", "fileName", "expiresAt", "inlineBytes"];

    public static readonly string[] TaskErrorKeys = ["code", "message"];

    public static readonly string[] ErrorDocumentKeys = ["error"];

    public static readonly string[] ErrorKeys = ["kind", "httpStatus", "providerCode", "message"];

    public static readonly string[] States = ["queued", "running", "succeeded", "failed", "cancelled", "timed_out", "unknown"];

    public static readonly string[] ErrorKinds = ["authentication", "not_found", "rate_limited", "server", "protocol", "transport", "timeout"];

    /// <summary>Parses standard output as exactly one JSON object (anything else around it fails).</summary>
    public static JsonElement ParseSingleObject(string stdout)
    {
        using var document = JsonDocument.Parse(stdout);
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object), "stdout is one JSON object");
        return document.RootElement.Clone();
    }

    /// <summary>Checks a snapshot object; returns it.</summary>
    public static JsonElement AssertSnapshot(JsonElement json, Provider provider, string taskId, bool withFiles = false)
    {
        Assert.That(Keys(json), Is.EqualTo(SnapshotKeys), "snapshot keys, in order");
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("provider").GetString(), Is.EqualTo(provider.GetName()));
            Assert.That(json.GetProperty("taskId").GetString(), Is.EqualTo(taskId));
            Assert.That(json.GetProperty("status").GetString(), Is.AnyOf(States));
            AssertStringOrNull(json.GetProperty("providerStatus"));
            var progress = json.GetProperty("progress");
            Assert.That(progress.ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.Number));
            if (progress.ValueKind == JsonValueKind.Number)
            {
                Assert.That(progress.GetInt32(), Is.InRange(0, 100));
            }

            AssertTime(json.GetProperty("createdAt"));
            AssertTime(json.GetProperty("finishedAt"));
            AssertStringOrNull(json.GetProperty("requestId"));
            var error = json.GetProperty("error");
            Assert.That(error.ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.Object));
            if (error.ValueKind == JsonValueKind.Object)
            {
                Assert.That(Keys(error), Is.EqualTo(TaskErrorKeys));
                AssertStringOrNull(error.GetProperty("code"));
                AssertStringOrNull(error.GetProperty("message"));
            }
        });

        var outputs = json.GetProperty("outputs");
        Assert.That(outputs.ValueKind, Is.EqualTo(JsonValueKind.Array));
        foreach (var output in outputs.EnumerateArray())
        {
            Assert.That(Keys(output), Is.EqualTo(withFiles ? [.. OutputKeys, "file"] : OutputKeys), "output keys, in order");
            Assert.Multiple(() =>
            {
                Assert.That(output.GetProperty("kind").GetString(), Is.AnyOf("image", "video"));
                AssertStringOrNull(output.GetProperty("url"));
                AssertStringOrNull(output.GetProperty("mimeType"));
                AssertStringOrNull(output.GetProperty("fileName"));
                AssertTime(output.GetProperty("expiresAt"));
                var inline = output.GetProperty("inlineBytes");
                Assert.That(inline.ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.Number));

                // Exactly one of url and inline bytes.
                Assert.That(output.GetProperty("url").ValueKind == JsonValueKind.Null, Is.Not.EqualTo(inline.ValueKind == JsonValueKind.Null));
            });
        }

        return json;
    }

    /// <summary>Checks the API error object; returns its inner <c>error</c>.</summary>
    public static JsonElement AssertError(JsonElement json)
    {
        Assert.That(Keys(json), Is.EqualTo(ErrorDocumentKeys));
        var error = json.GetProperty("error");
        Assert.That(Keys(error), Is.EqualTo(ErrorKeys), "error keys, in order");
        Assert.Multiple(() =>
        {
            Assert.That(error.GetProperty("kind").GetString(), Is.AnyOf(ErrorKinds));
            Assert.That(error.GetProperty("httpStatus").ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.Number));
            AssertStringOrNull(error.GetProperty("providerCode"));
            Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
        });
        return error;
    }

    public static IReadOnlyList<string> Keys(JsonElement json) => [.. json.EnumerateObject().Select(p => p.Name)];

    private static void AssertStringOrNull(JsonElement value) =>
        Assert.That(value.ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.String));

    private static void AssertTime(JsonElement value)
    {
        Assert.That(value.ValueKind, Is.AnyOf(JsonValueKind.Null, JsonValueKind.String));
        if (value.ValueKind == JsonValueKind.String)
        {
            Assert.That(value.GetString(), Does.Match(UtcTime().ToString()), "ISO-8601 UTC");
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")]
    private static partial Regex UtcTime();
}
