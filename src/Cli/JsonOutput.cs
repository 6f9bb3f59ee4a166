using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AsyncTasks.Cli;

/// <summary>
/// The --json shapes. Every field is always present (null when unknown), in a fixed order, so scripts can rely on
/// them; README "Errors and exit codes" documents them.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes a JSON document with <paramref name="write"/> and returns its text.</summary>
    public static string Build(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// <c>{"provider","taskId","status","providerStatus","progress","outputs":[…],"error","createdAt","finishedAt","requestId"}</c>;
    /// with <paramref name="files"/> (after --download) each output also has <c>"file"</c>.
    /// </summary>
    public static void WriteSnapshot(Utf8JsonWriter writer, TaskSnapshot snapshot, IReadOnlyList<string?>? files = null)
    {
        writer.WriteStartObject();
        writer.WriteString("provider", snapshot.Task.Provider.GetName());
        writer.WriteString("taskId", snapshot.Task.Id);
        writer.WriteString("status", snapshot.State.GetName());
        WriteStringOrNull(writer, "providerStatus", snapshot.ProviderState);
        if (snapshot.Progress is { } progress)
        {
            writer.WriteNumber("progress", progress);
        }
        else
        {
            writer.WriteNull("progress");
        }

        writer.WriteStartArray("outputs");
        for (var i = 0; i < snapshot.Outputs.Count; i++)
        {
            var output = snapshot.Outputs[i];
            writer.WriteStartObject();
            writer.WriteString("kind", KindName(output.Kind));
            WriteStringOrNull(writer, "url", output.Url?.OriginalString);
            WriteStringOrNull(writer, "mimeType", output.MimeType);
            WriteStringOrNull(writer, "fileName", output.FileName);
            WriteStringOrNull(writer, "expiresAt", Time(output.ExpiresAt));
            if (output.InlineData is { } inline)
            {
                writer.WriteNumber("inlineBytes", inline.Length);
            }
            else
            {
                writer.WriteNull("inlineBytes");
            }

            if (files is not null)
            {
                WriteStringOrNull(writer, "file", i < files.Count ? files[i] : null);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (snapshot.Error is { } error)
        {
            writer.WriteStartObject("error");
            WriteStringOrNull(writer, "code", error.Code);
            WriteStringOrNull(writer, "message", error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("error");
        }

        WriteStringOrNull(writer, "createdAt", Time(snapshot.CreatedAt));
        WriteStringOrNull(writer, "finishedAt", Time(snapshot.FinishedAt));
        WriteStringOrNull(writer, "requestId", snapshot.RequestId);
        writer.WriteEndObject();
    }

    /// <summary>The snapshot document.</summary>
    public static string Snapshot(TaskSnapshot snapshot, IReadOnlyList<string?>? files = null) =>
        Build(writer => WriteSnapshot(writer, snapshot, files));

    /// <summary><c>{"error":{"kind","httpStatus","providerCode","message"}}</c> for an API, transport or wait timeout error.</summary>
    public static void WriteError(Utf8JsonWriter writer, TaskClientException exception, string message)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("kind", ErrorKindName(exception.Kind));
        if (exception.HttpStatus is { } status)
        {
            writer.WriteNumber("httpStatus", status);
        }
        else
        {
            writer.WriteNull("httpStatus");
        }

        WriteStringOrNull(writer, "providerCode", exception.ProviderCode);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The error document.</summary>
    public static string Error(TaskClientException exception, string message) =>
        Build(writer => WriteError(writer, exception, message));

    /// <summary>image or video.</summary>
    public static string KindName(TaskOutputKind kind) => kind == TaskOutputKind.Video ? "video" : "image";

    /// <summary>authentication, not_found, rate_limited, server, protocol, transport or timeout.</summary>
    public static string ErrorKindName(TaskErrorKind kind) => kind switch
    {
        // The CLI's own output contract (README, "Errors and exit codes"), written here rather than asked of the library.
        TaskErrorKind.Authentication => "authentication",
        TaskErrorKind.NotFound => "not_found",
        TaskErrorKind.RateLimited => "rate_limited",
        TaskErrorKind.Server => "server",
        TaskErrorKind.Protocol => "protocol",
        TaskErrorKind.Transport => "transport",
        TaskErrorKind.Timeout => "timeout",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>ISO-8601 in UTC (<c>2026-03-02T08:15:30Z</c>, fractions only when present), or <see langword="null"/>.</summary>
    public static string? Time(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes a string property, or null.</summary>
    public static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
